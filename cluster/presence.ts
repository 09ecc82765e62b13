/**
 * A host's presence in its cluster: it heartbeats to the few hosts that
 * monitor it (`R.<self>.hb`, subscribed by them only), hears the heartbeats
 * of the hosts it monitors, and spreads changes of itself to everyone
 * (`R.<self>.announce`: when it joins, rejoins, disputes a vote, comes back
 * from a stall, turns busy or idle, or its load moved). A joining host asks
 * once for everyone's announcement (`discover`), answered to it alone
 * (`R.<from>.hello.<to>`). Goodbyes and lost votes go to everyone. It keeps
 * the view up to date through the failure detector, and fences itself when
 * the others declared it lost. The wire format is in docs/PROTOCOL.md.
 * This file wires the parts: what it hears (`presence_intake.ts`,
 * `presence_verdicts.ts`), what it says (`presence_announcer.ts`), and its
 * epoch and fencing (`presence_fencing.ts`).
 *
 * Presence runs where the host's work cannot block it: in the host's
 * liveness worker (`liveness_worker.ts`), with a connection of its own. It
 * runs on the host's own loop only for hosts on an in-process transport (the
 * memory bus of tests and simulations), where a stalled loop stalls every
 * host alike.
 *
 * @module
 */

import type { TransportMessage, TransportSubscription } from "../transport/transport.ts";
import type { TimerHandle } from "../base/clock.ts";
import { packValue } from "./codec.ts";
import { Membership } from "./membership.ts";
import { readLostDigest } from "./lost_digest.ts";
import { AnnouncementIntake } from "./presence_intake.ts";
import { VerdictIntake } from "./presence_verdicts.ts";
import { PresenceAnnouncer } from "./presence_announcer.ts";
import { SelfFencing } from "./presence_fencing.ts";
import { LOAD_SPREAD_MS } from "./presence_spread.ts";
import { DiscoveryAnswers } from "./discovery_answers.ts";
import { HeartbeatWatch } from "./heartbeat_watch.ts";
import { OlderEpochVotes } from "./older_epoch_votes.ts";
import type {
  FenceCause,
  GoneReason,
  HostLoad,
  PresenceLog,
  PresenceSeams,
} from "./presence_seams.ts";

export type { FenceCause, GoneReason, HostLoad, PresenceLog, PresenceSeams };

export { LOAD_SPREAD_MS };

/** The presence of one host. */
export class Presence {
  #seams: PresenceSeams;
  #membership: Membership;
  #subscriptions: TransportSubscription[];
  #unsubscribeStatus: () => void;
  #timer: TimerHandle | undefined;
  readonly #self: SelfFencing;
  readonly #announcer: PresenceAnnouncer;
  readonly #refused: Record<string, number> = {};
  #left = false;
  #stopped = false;
  readonly #intake: AnnouncementIntake;
  readonly #verdicts: VerdictIntake;
  readonly #minSpacingMs: number;
  readonly #answers: DiscoveryAnswers;
  readonly #heartbeatWatch: HeartbeatWatch;
  readonly #olderEpochVotes: OlderEpochVotes;
  /**
   * Resolves once this host has announced itself as a member would (twice,
   * spaced, when the others need two heartbeats) and heard the others' answers.
   */
  readonly joined: Promise<void>;

  /** Subscribes, announces this host, and asks the others to announce. */
  constructor(seams: PresenceSeams) {
    this.#seams = seams;
    const { clock, transport, subjects } = seams;
    const startedAtMs = seams.startedAtMs ?? clock.now();
    this.#self = new SelfFencing(
      seams,
      startedAtMs,
      () => this.#intake.epochFloor,
      () => this.#announcer.rejoin(),
    );
    const heartbeats = seams.admitAfterHeartbeats ?? 2;
    this.#minSpacingMs = Math.max(1, Math.floor(seams.heartbeatIntervalMs / 4));
    this.#announcer = new PresenceAnnouncer({
      seams,
      startedAtMs,
      minSpacingMs: this.#minSpacingMs,
      heartbeats,
      epoch: () => this.#self.epoch,
      silent: () => this.#silent(),
      sentHeartbeat: (nowMs) => this.#heartbeatWatch.sent(nowMs),
    });
    this.#heartbeatWatch = new HeartbeatWatch(
      transport,
      subjects,
      seams.hostId,
      (m) => this.#onAnnounce(m, true),
    );
    this.#olderEpochVotes = new OlderEpochVotes(clock, seams.heartbeatIntervalMs, () => {
      if (!this.#silent()) this.#announcer.rejoin(false);
    });
    this.#answers = new DiscoveryAnswers(clock, this.#minSpacingMs + 5, (to) => this.#hello(to));
    this.#membership = new Membership(
      {
        selfId: seams.hostId,
        clock,
        view: seams.view,
        connected: () => transport.status === "connected",
        declare: (lost) => this.#announcer.publish(subjects.lost(), packValue(lost)),
        probe: () => this.#announcer.publish(subjects.discover(), new Uint8Array(0)),
        onLost: (lost) => {
          seams.onGone(lost.hostId, "lost");
          this.#intake.admitSuccessor(lost.hostId, lost.epoch);
        },
        intakeLagMs: () => this.#heartbeatWatch.lagMs(clock.now()),
      },
      seams.heartbeatIntervalMs,
      seams.suspicionTimeoutMs,
    );
    this.#intake = new AnnouncementIntake(seams, this.#membership, heartbeats, (reason) => {
      this.#count(reason);
    });
    this.#verdicts = new VerdictIntake({
      seams,
      membership: this.#membership,
      minSpacingMs: this.#minSpacingMs,
      epoch: () => this.#self.epoch,
      fencing: () => this.#self.fencing,
      left: () => this.#left,
      stopped: () => this.#stopped,
      fence: (cause) => void this.#self.fence(cause),
      announce: () => this.#announcer.announce(),
      olderEpochVoted: (epoch) => this.#olderEpochVotes.heard(epoch),
      forget: (hostId) => this.#intake.forget(hostId),
      count: (reason) => this.#count(reason),
    });
    this.#subscriptions = [
      transport.subscribe(subjects.announcements(), (m) => this.#onAnnounce(m)),
      transport.subscribe(subjects.discoveries(), (m) => this.#answerDiscovery(m.subject)),
      transport.subscribe(subjects.hellos(), (m) => this.#onHello(m)),
      transport.subscribe(subjects.leaves(), (m) => this.#verdicts.leave(m)),
      transport.subscribe(subjects.losts(), (m) => this.#verdicts.lost(m)),
    ];
    this.joined = this.#announcer.join();
    this.#schedule();
    this.#membership.start();
    if (!this.#stopped) this.#watchHeartbeats();
    // Back after an outage: say so, and ask everyone else to say so too.
    this.#unsubscribeStatus = transport.onStatus((status) => {
      this.#heartbeatWatch.reset();
      if (status === "connected") {
        seams.log.info("connection to NATS is back; announcing and rediscovering");
        this.#announcer.rejoin();
      } else {
        seams.log.warn(`connection to NATS is ${status}; sends become dead letters`);
      }
    });
  }

  /**
   * Control messages refused, by reason (`undecodable`, `sender-mismatch`,
   * `lost-unknown-epoch`, `lost-from-non-member`, `epoch-conflict`).
   */
  get refused(): Readonly<Record<string, number>> {
    return { ...this.#refused };
  }

  #count(reason: string): void {
    this.#refused[reason] = (this.#refused[reason] ?? 0) + 1;
  }

  /** This host's current epoch. */
  get epoch(): number {
    return this.#self.epoch;
  }

  /** Says goodbye, so that the others stop sending at once; no more heartbeats. */
  leave(): void {
    this.#left = true;
    this.#stopHeartbeats();
    const { hostId, subjects } = this.#seams;
    this.#announcer.publish(subjects.leave(), new TextEncoder().encode(hostId));
  }

  /** Stops heartbeating, checking and listening. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopHeartbeats();
    this.#answers.stop();
    this.#olderEpochVotes.stop();
    this.#membership.stop();
    this.#unsubscribeStatus();
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    this.#heartbeatWatch.stop();
  }

  /**
   * This host's event loop stalled past the hang limit: it is declared lost
   * on purpose (so that its actors restart elsewhere), then fences itself.
   * Called by the liveness worker, which keeps running while the loop stalls.
   */
  hung(stalledMs: number, hangLimitMs: number): void {
    if (this.#self.fencing || this.#left || this.#stopped) return;
    this.#seams.log.warn(
      `this host's event loop has been stalled for ${Math.round(stalledMs)} ms, past the ` +
        `hang limit of ${hangLimitMs} ms: declaring it lost so that its actors move`,
    );
    this.#announcer.declareLost();
    void this.#self.fence({ kind: "hung", stalledMs, hangLimitMs });
  }

  /**
   * This host was killed (its worker terminated): it is declared lost, so that
   * the others move its actors at once, and this presence stops for good.
   */
  killed(): void {
    if (this.#stopped) return;
    this.#announcer.declareLost();
    this.stop();
  }

  #stopHeartbeats(): void {
    if (this.#timer !== undefined) this.#seams.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Whether this host says nothing now: while it fences itself, its old epoch is lost. */
  #silent(): boolean {
    return this.#self.fencing || this.#left || this.#stopped;
  }

  /**
   * Someone asked everyone to announce (a host joining, an observer): answer
   * it alone now, and once more a spacing later, so that it admits this host
   * at once. Requests while a second answer is pending share its timer.
   */
  #answerDiscovery(subject: string): void {
    const requester = this.#seams.subjects.senderOf(subject);
    if (requester === undefined || requester === this.#seams.hostId || this.#silent()) return;
    this.#answers.asked(requester);
  }

  /** An answer to `to`'s discovery: this host's announcement and its recent verdicts (`lost_digest.ts`). */
  #hello(to: string): void {
    if (this.#silent()) return;
    const lost = this.#membership.recentlyLost();
    const announcement = this.#announcer.announcement();
    const answer = lost.length === 0 ? announcement : { ...announcement, lost };
    this.#announcer.publish(this.#seams.subjects.hello(to), packValue(answer));
  }

  #onHello(message: TransportMessage): void {
    if (!this.#onAnnounce(message)) return;
    const digest = readLostDigest(message.data);
    if (digest.kind === "refused") return this.#count("undecodable");
    if (digest.kind === "none") return;
    const voter = this.#seams.subjects.senderOf(message.subject)!;
    for (const lost of digest.lost) this.#verdicts.vote(voter, lost, true);
  }

  #schedule(): void {
    const { clock } = this.#seams;
    this.#timer = clock.setTimeout(() => {
      if (this.#stopped || this.#left) return;
      this.#announcer.beat();
      if (!this.#stopped) this.#watchHeartbeats();
      this.#schedule();
    }, this.#seams.heartbeatIntervalMs);
    clock.keepAlive(this.#timer, false);
  }

  #watchHeartbeats(): void {
    const membership = this.#membership;
    this.#heartbeatWatch.watch(membership.watched(), (id) => membership.hearsSlowly(id));
  }

  /** @returns Whether the message was a well-formed announcement of a host of this version. */
  #onAnnounce(message: TransportMessage, heartbeat = false): boolean {
    return this.#intake.heard(message, this.#self.epoch, heartbeat);
  }
}
