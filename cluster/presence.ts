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
import type { HostAnnouncement } from "./view.ts";
import { packValue } from "./codec.ts";
import { Membership } from "./membership.ts";
import { readLostDigest } from "./lost_digest.ts";
import { AnnouncementIntake } from "./presence_intake.ts";
import { VerdictIntake } from "./presence_verdicts.ts";
import { announcementOf, type LastSpread, LOAD_SPREAD_MS, needsSpread } from "./presence_spread.ts";
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
  #startedAtMs: number;
  #epoch: number;
  #fencing = false;
  readonly #refused: Record<string, number> = {};
  #left = false;
  #stopped = false;
  readonly #intake: AnnouncementIntake;
  readonly #verdicts: VerdictIntake;
  readonly #minSpacingMs: number;
  readonly #answers: DiscoveryAnswers;
  readonly #heartbeatWatch: HeartbeatWatch;
  /** What this host last spread to everyone, and when. */
  #spread: LastSpread | undefined;
  #lastBeatMs: number;
  readonly #olderEpochVotes: OlderEpochVotes;
  readonly #heartbeats: number;
  /**
   * Resolves once this host has announced itself as a member would (twice,
   * spaced, when the others need two heartbeats) and heard the others' answers.
   */
  readonly joined: Promise<void>;

  /** Subscribes, announces this host, and asks the others to announce. */
  constructor(seams: PresenceSeams) {
    this.#seams = seams;
    const { clock, transport, subjects } = seams;
    this.#startedAtMs = seams.startedAtMs ?? clock.now();
    this.#epoch = this.#startedAtMs;
    const heartbeats = seams.admitAfterHeartbeats ?? 2;
    this.#heartbeats = heartbeats;
    this.#lastBeatMs = clock.now();
    this.#minSpacingMs = Math.max(1, Math.floor(seams.heartbeatIntervalMs / 4));
    this.#heartbeatWatch = new HeartbeatWatch(
      transport,
      subjects,
      seams.hostId,
      (m) => this.#onAnnounce(m, true),
    );
    this.#olderEpochVotes = new OlderEpochVotes(clock, seams.heartbeatIntervalMs, () => {
      if (!this.#silent()) this.#announceAndDiscover(false);
    });
    this.#answers = new DiscoveryAnswers(clock, this.#minSpacingMs + 5, (to) => this.#hello(to));
    this.#membership = new Membership(
      {
        selfId: seams.hostId,
        clock,
        view: seams.view,
        connected: () => transport.status === "connected",
        declare: (lost) => this.#publish(subjects.lost(), packValue(lost)),
        probe: () => this.#publish(subjects.discover(), new Uint8Array(0)),
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
      epoch: () => this.#epoch,
      fencing: () => this.#fencing,
      left: () => this.#left,
      stopped: () => this.#stopped,
      fence: (cause) => void this.#fenceSelf(cause),
      announce: () => this.#announce(),
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
    this.#announce();
    this.#publish(subjects.discover(), new Uint8Array(0));
    this.joined = heartbeats <= 1 ? Promise.resolve() : new Promise((resolve) => {
      // The second heartbeat makes this host a member of the others' views; one
      // spacing more lets the others' second answers to the discovery arrive.
      const second = clock.setTimeout(() => {
        this.#announce();
        const settled = clock.setTimeout(resolve, this.#minSpacingMs + 10);
        clock.keepAlive(settled, false);
      }, this.#minSpacingMs + 5);
      clock.keepAlive(second, false);
    });
    this.#schedule();
    this.#membership.start();
    if (!this.#stopped) this.#heartbeatWatch.watch(this.#membership.watched());
    // Back after an outage: say so, and ask everyone else to say so too.
    this.#unsubscribeStatus = transport.onStatus((status) => {
      this.#heartbeatWatch.reset();
      if (status === "connected") {
        seams.log.info("connection to NATS is back; announcing and rediscovering");
        this.#announceAndDiscover();
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
    return this.#epoch;
  }

  /** Says goodbye, so that the others stop sending at once; no more heartbeats. */
  leave(): void {
    this.#left = true;
    this.#stopHeartbeats();
    this.#publish(this.#seams.subjects.leave(), new TextEncoder().encode(this.#seams.hostId));
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
    if (this.#fencing || this.#left || this.#stopped) return;
    this.#seams.log.warn(
      `this host's event loop has been stalled for ${Math.round(stalledMs)} ms, past the ` +
        `hang limit of ${hangLimitMs} ms: declaring it lost so that its actors move`,
    );
    this.#publish(
      this.#seams.subjects.lost(),
      packValue({ hostId: this.#seams.hostId, epoch: this.#epoch }),
    );
    void this.#fenceSelf({ kind: "hung", stalledMs, hangLimitMs });
  }

  /**
   * This host was killed (its worker terminated): it is declared lost, so that
   * the others move its actors at once, and this presence stops for good.
   */
  killed(): void {
    if (this.#stopped) return;
    this.#publish(
      this.#seams.subjects.lost(),
      packValue({ hostId: this.#seams.hostId, epoch: this.#epoch }),
    );
    this.stop();
  }

  #stopHeartbeats(): void {
    if (this.#timer !== undefined) this.#seams.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #announcement(): HostAnnouncement {
    const { hostId, labels, subjects } = this.#seams;
    const identity = {
      hostId,
      labels,
      startedAtMs: this.#startedAtMs,
      epoch: this.#epoch,
      inbox: subjects.inbox(),
    };
    return announcementOf(identity, this.#seams.load());
  }

  /** Whether this host says nothing now: while it fences itself, its old epoch is lost. */
  #silent(): boolean {
    return this.#fencing || this.#left || this.#stopped;
  }

  /** Tells everyone of this host as it is now (a change). */
  #announce(announcement = this.#announcement()): void {
    if (this.#silent()) return;
    const now = this.#seams.clock.now();
    this.#seams.view.announce(announcement, now);
    this.#spread = { ...announcement, atMs: now };
    this.#publish(this.#seams.subjects.announce(), packValue(announcement));
  }

  /**
   * One heartbeat: to this host's monitors; to everyone as well when it
   * changed (busy or idle, load moved by a quarter, at most once a
   * `LOAD_SPREAD_MS`) or when this host was silent for a suspicion timeout
   * (hosts that declared it lost meanwhile hear it and say so).
   */
  #beat(): void {
    if (this.#silent()) return;
    const { clock, subjects, view } = this.#seams;
    const now = clock.now();
    // Silent long enough to have been declared lost: say so to everyone (a
    // beat merely late on a busy machine goes to the monitors alone).
    const stalled = now - this.#lastBeatMs > this.#seams.suspicionTimeoutMs;
    this.#lastBeatMs = now;
    const announcement = this.#announcement();
    if (needsSpread(this.#spread, announcement, now, stalled)) {
      this.#announce(announcement);
    } else {
      view.announce(announcement, now);
    }
    if (this.#publish(subjects.heartbeat(), packValue(announcement))) {
      this.#heartbeatWatch.sent(now);
    }
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
    const answer = lost.length === 0 ? this.#announcement() : { ...this.#announcement(), lost };
    this.#publish(this.#seams.subjects.hello(to), packValue(answer));
  }

  #onHello(message: TransportMessage): void {
    if (!this.#onAnnounce(message)) return;
    const digest = readLostDigest(message.data);
    if (digest.kind === "refused") return this.#count("undecodable");
    if (digest.kind === "none") return;
    const voter = this.#seams.subjects.senderOf(message.subject)!;
    for (const lost of digest.lost) this.#verdicts.vote(voter, lost, true);
  }

  /**
   * Joins (or joins again): announces, asks everyone to answer, and
   * announces once more a spacing later (the hosts that do not monitor this
   * one admit it on that second announcement).
   */
  #announceAndDiscover(discover = true): void {
    this.#announce();
    if (discover) this.#publish(this.#seams.subjects.discover(), new Uint8Array(0));
    if (this.#heartbeats <= 1) return;
    const { clock } = this.#seams;
    const second = clock.setTimeout(() => this.#announce(), this.#minSpacingMs + 5);
    clock.keepAlive(second, false);
  }

  #schedule(): void {
    const { clock } = this.#seams;
    this.#timer = clock.setTimeout(() => {
      if (this.#stopped || this.#left) return;
      this.#beat();
      if (!this.#stopped) this.#heartbeatWatch.watch(this.#membership.watched());
      this.#schedule();
    }, this.#seams.heartbeatIntervalMs);
    clock.keepAlive(this.#timer, false);
  }

  /** @returns Whether the message was a well-formed announcement of a host of this version. */
  #onAnnounce(message: TransportMessage, heartbeat = false): boolean {
    return this.#intake.heard(message, this.#epoch, heartbeat);
  }

  /**
   * The others declared this host lost (it was frozen or cut off), or it
   * hung: its actors may already run elsewhere, so they stop now, and the
   * host rejoins as a new epoch.
   */
  async #fenceSelf(cause: FenceCause): Promise<void> {
    if (this.#fencing) return;
    this.#fencing = true;
    const { clock, log } = this.#seams;
    if (cause.kind === "declared-lost") {
      log.warn(
        "the other hosts declared this host lost (it was frozen or cut off): " +
          "stopping its actors and rejoining with a new epoch",
      );
    }
    try {
      await this.#seams.fence(cause);
      this.#epoch = Math.max(clock.now(), this.#epoch + 1, this.#intake.epochFloor);
    } finally {
      this.#fencing = false;
    }
    this.#announceAndDiscover();
  }

  /** @returns Whether the transport took the message. */
  #publish(subject: string, data: Uint8Array): boolean {
    try {
      this.#seams.transport.publish(subject, data);
      return true;
    } catch {
      // Disconnected: the next heartbeat will try again.
      return false;
    }
  }
}
