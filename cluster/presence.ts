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
import { type HostAnnouncement, isMember } from "./view.ts";
import { packValue, unpackValue } from "./codec.ts";
import { type LostDeclaration, Membership } from "./membership.ts";
import { type CandidateRules, Candidates, DEFAULT_MAX_CANDIDATES } from "./candidates.ts";
import { hearAnnouncement, VersionNotices } from "./wire_identity.ts";
import { Successors } from "./successors.ts";
import { readLostDigest } from "./lost_digest.ts";
import { PROTOCOL_VERSION } from "./protocol_version.ts";
import { HOST_CAPABILITIES } from "./capabilities.ts";
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

/**
 * Least time between two spreads of a host's load to everyone, in
 * milliseconds (busy and idle spread at once).
 */
export const LOAD_SPREAD_MS = 1_000;

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
  readonly #versions: VersionNotices;
  readonly #refused: Record<string, number> = {};
  #left = false;
  #stopped = false;
  readonly #candidates: Candidates;
  readonly #minSpacingMs: number;
  readonly #answers: DiscoveryAnswers;
  #lastDisputeMs = -Infinity;
  readonly #heartbeatWatch: HeartbeatWatch;
  /** What this host last spread to everyone, and when. */
  #spread: { busy: boolean; actorCount: number; mailboxDepth: number; atMs: number } | undefined;
  #lastBeatMs: number;
  /** The least epoch this host may take next: above any announced in its name by someone else. */
  #epochFloor = 0;
  /** Newer epochs heard of members that are still members here (`successors.ts`). */
  readonly #successors = new Successors(DEFAULT_MAX_CANDIDATES);
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
    this.#versions = new VersionNotices((text) => seams.log.warn(text));
    const heartbeats = seams.admitAfterHeartbeats ?? 2;
    this.#heartbeats = heartbeats;
    this.#lastBeatMs = clock.now();
    this.#minSpacingMs = Math.max(1, Math.floor(seams.heartbeatIntervalMs / 4));
    const rules: CandidateRules = {
      heartbeats,
      // Spacing measured at the receiver means little under load (two
      // announcements sent 67 ms apart arrive together): the second admits.
      minSpacingMs: 0,
      maxCandidates: DEFAULT_MAX_CANDIDATES,
      lifetimeMs: 2 * seams.suspicionTimeoutMs,
    };
    this.#candidates = new Candidates(rules);
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
        onLost: (lost) => {
          seams.onGone(lost.hostId, "lost");
          this.#admitSuccessor(lost.hostId, lost.epoch);
        },
        intakeLagMs: () => this.#heartbeatWatch.lagMs(clock.now()),
      },
      seams.heartbeatIntervalMs,
      seams.suspicionTimeoutMs,
    );
    this.#subscriptions = [
      transport.subscribe(subjects.announcements(), (m) => this.#onAnnounce(m)),
      transport.subscribe(subjects.discoveries(), (m) => this.#answerDiscovery(m.subject)),
      transport.subscribe(subjects.hellos(), (m) => this.#onHello(m)),
      transport.subscribe(subjects.leaves(), (m) => this.#onLeave(m)),
      transport.subscribe(subjects.losts(), (m) => this.#onLost(m)),
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
    const { hostId, subjects } = this.#seams;
    const load = this.#seams.load();
    return {
      hostId,
      labels: this.#seams.labels,
      actorCount: load.actorCount,
      mailboxDepth: load.mailboxDepth,
      startedAtMs: this.#startedAtMs,
      epoch: this.#epoch,
      inbox: subjects.inbox(),
      protocol: PROTOCOL_VERSION,
      capabilities: HOST_CAPABILITIES,
      loopLagMs: Math.round(load.loopLagMs),
      busy: load.busy,
      monitors: true,
    };
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
    const last = this.#spread;
    const moved = (was: number, is: number) => Math.abs(is - was) >= Math.max(16, was / 4);
    if (
      stalled || last === undefined || last.busy !== announcement.busy ||
      (now - last.atMs >= LOAD_SPREAD_MS &&
        (moved(last.actorCount, announcement.actorCount) ||
          moved(last.mailboxDepth, announcement.mailboxDepth)))
    ) {
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
    for (const lost of digest.lost) this.#heardLost(voter, lost, true);
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

  /**
   * The old epoch of a host was judged lost: its newer epoch, heard lately
   * (within two suspicion timeouts), is a member now.
   */
  #admitSuccessor(hostId: string, lostEpoch: number): void {
    const now = this.#seams.clock.now();
    const freshMs = 2 * this.#seams.suspicionTimeoutMs;
    const successor = this.#successors.take(hostId, lostEpoch, this.#heartbeats, now, freshMs);
    if (successor !== undefined) this.#seams.view.announce(successor, now);
  }

  /** @returns Whether the message was a well-formed announcement of a host of this version. */
  #onAnnounce(message: TransportMessage, heartbeat = false): boolean {
    const heard = hearAnnouncement(this.#seams.subjects, message);
    if (heard.kind === "other-version") {
      this.#versions.heard(heard.hostId, heard.protocol);
      return false;
    }
    if (heard.kind === "refused") {
      this.#count(heard.reason);
      return false;
    }
    this.#heardAnnouncement(heard.announcement, heartbeat);
    return true;
  }

  #heardAnnouncement(announcement: HostAnnouncement, heartbeat: boolean): void {
    const { hostId, epoch } = announcement;
    if (hostId === this.#seams.hostId) {
      // Only someone else announces a newer epoch in this host's name: its
      // next epoch must outnumber it, or the others would refuse it as older.
      if (epoch > this.#epoch && Number.isSafeInteger(epoch + 1)) {
        this.#epochFloor = Math.max(this.#epochFloor, epoch + 1);
      }
      return;
    }
    if (this.#membership.isZombie(hostId, epoch)) return;
    const now = this.#seams.clock.now();
    const known = this.#seams.view.get(hostId);
    if (known !== undefined && isMember(known.state)) {
      if (epoch === known.epoch) return this.#seams.view.announce(announcement, now);
      // An older life's heartbeat, late: ignored.
      if (epoch < known.epoch) return;
      // A newer epoch while the member's epoch still heartbeats is made up;
      // once the member's epoch is silent, it restarted: it is voted lost,
      // and the new epoch is admitted after that like any new host.
      if (!this.#membership.newerEpochHeard(known, heartbeat)) this.#count("epoch-conflict");
      if (isMember(this.#seams.view.get(hostId)!.state)) {
        this.#successors.note(announcement, now);
        return;
      }
    }
    // A heartbeat of an epoch that said goodbye, arriving late (it may come
    // over another connection than the goodbye): that life is over.
    if (known !== undefined && epoch <= known.epoch) return;
    if (!this.#candidates.heard(hostId, epoch, now)) return;
    this.#seams.view.announce(announcement, now);
  }

  #onLeave(message: TransportMessage): void {
    const { view, hostId, clock, subjects } = this.#seams;
    const host = new TextDecoder().decode(message.data);
    // Only a host itself can say it leaves.
    if (host !== subjects.senderOf(message.subject)) return this.#count("sender-mismatch");
    if (host === hostId) {
      if (this.#left || this.#stopped || this.#fencing) return;
      // A goodbye in this host's name that it did not say (only possible on a
      // server without per-member permissions): the others already moved its
      // work, so its actors stop and it rejoins, rather than run twice.
      this.#seams.log.warn(
        "a goodbye in this host's name was published by someone else: the others took it as " +
          "leaving, so this host stops its actors and rejoins with a new epoch",
      );
      this.#count("forged-leave");
      void this.#fenceSelf({ kind: "declared-lost" });
      return;
    }
    this.#candidates.forget(host);
    this.#successors.forget(host);
    if (view.get(host)?.state === "left" || view.get(host) === undefined) return;
    this.#membership.forget(host);
    view.mark(host, "left", clock.now());
    this.#seams.onGone(host, "left");
  }

  #onLost(message: TransportMessage): void {
    const voter = this.#seams.subjects.senderOf(message.subject);
    // Protocol 1's declarations (sender `ctl`) are about hosts that are not members here.
    if (voter === undefined || voter === "ctl") return;
    const lost = unpackValue(message.data, () => undefined) as Partial<LostDeclaration> | undefined;
    if (typeof lost?.hostId !== "string" || typeof lost.epoch !== "number") {
      return this.#count("undecodable");
    }
    this.#heardLost(voter, { hostId: lost.hostId, epoch: lost.epoch }, false);
  }

  /** A vote of `voter`'s: a `lost` message, or one entry of the digest of its `hello` (`fromDigest`). */
  #heardLost(voter: string, lost: LostDeclaration, fromDigest: boolean): void {
    if (lost.hostId !== this.#seams.hostId) {
      const refused = this.#membership.heardVote(voter, lost, fromDigest);
      if (refused !== undefined) this.#count(refused);
      return;
    }
    if (lost.epoch > this.#epoch) return fromDigest ? undefined : this.#count("lost-unknown-epoch");
    if (lost.epoch < this.#epoch) {
      return fromDigest ? undefined : this.#olderEpochVotes.heard(lost.epoch);
    }
    if (this.#fencing || this.#stopped) return;
    if (voter === this.#seams.hostId) {
      // Its own subject, but not said by this host (which says it only when
      // it hung or was killed, and is fencing or stopped by then): everyone
      // took it as this host's own word, so it stops its actors.
      this.#count("forged-lost");
      void this.#fenceSelf({ kind: "declared-lost" });
      return;
    }
    switch (this.#membership.heardVoteAboutSelf(voter, lost.epoch)) {
      case "fence":
        void this.#fenceSelf({ kind: "declared-lost" });
        return;
      case "dispute": {
        // Still here: a heartbeat now shows every host that hears it.
        const now = this.#seams.clock.now();
        if (now - this.#lastDisputeMs < this.#minSpacingMs) return;
        this.#lastDisputeMs = now;
        this.#announce();
        return;
      }
      case "ignore":
        this.#count("lost-from-non-member");
        return;
    }
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
      this.#epoch = Math.max(clock.now(), this.#epoch + 1, this.#epochFloor);
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
