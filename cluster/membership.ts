/**
 * Membership and failure detection: every host heartbeats (its announcement,
 * every `heartbeatIntervalMs`) to the few peers that monitor it
 * (`monitors.ts`); a monitor that has not heard a host it watches for
 * `suspicionTimeoutMs` votes that it is lost (a `lost` message on its own
 * subject, heard by every host), and a host is declared lost when enough
 * distinct live members voted (`lost_votes.ts`): a majority of its monitors
 * that are not suspected themselves, and at least two of them in a cluster
 * of three hosts or more. Only monitors vote, second or remind: the cost of
 * a failure does not grow with the cluster either. Expiry comes from
 * heartbeats and local timestamps only, never from store TTLs.
 *
 * A vote is about one *epoch* of a host (a process start, or a rejoin after
 * it was declared lost), and only the epoch it announced counts: a vote for
 * an epoch never announced is refused. Every host counts the same votes, so
 * they converge; a host that reached a verdict votes too, so that the others
 * do. The host voted on counts the votes about itself: when they reach a
 * verdict it fences itself (it stops its actors and rejoins with a new
 * epoch), otherwise it disputes them by announcing at once. Heartbeats of a
 * lost epoch are ignored and answered with a vote again.
 *
 * Guards keep a slow host from voting: no votes while its own connection is
 * down, none for a grace period after it comes back (the others reconnect
 * one by one, each after nats.js's reconnect wait of about 2 s plus jitter),
 * and none in a check that ran late or while its own heartbeats come back
 * late (the host itself was stalled or flooded, so the silence may be its own).
 *
 * @module
 */

import type { Clock, TimerHandle } from "../base/clock.ts";
import { type ClusterView, type HostInfo, isMember } from "./view.ts";
import { MonitorRing, MONITORS_PER_HOST } from "./monitors.ts";
import { type LostDeclaration, LostEpochs, MAX_LOST_EPOCHS } from "./lost_epochs.ts";
import { RECONNECT_GRACE_MS, VoteGuards } from "./vote_guards.ts";
import {
  addVote,
  expireVotes,
  forgetHost,
  NO_VOTES,
  standing,
  type VoteTally,
} from "./lost_votes.ts";

/** Default heartbeat interval, in milliseconds. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 250;
/** Default silence after which a host is declared lost, in milliseconds. */
export const DEFAULT_SUSPICION_TIMEOUT_MS = 1_000;
export { RECONNECT_GRACE_MS };
export type { LostDeclaration };

/** Why a vote was not counted. */
export type VoteRefusal = "lost-unknown-epoch" | "lost-from-non-member";

/** What the host voted on does about the votes on its current epoch. */
export type SelfVerdict = "fence" | "dispute" | "ignore";

/** What the failure detector needs around it. */
export interface MembershipSeams {
  /** This host's id. */
  readonly selfId: string;
  /** The time source and timers. */
  readonly clock: Clock;
  /** The view to update. */
  readonly view: ClusterView;
  /** Whether this host's connection is up. */
  readonly connected: () => boolean;
  /** Publishes this host's vote to every host. */
  readonly declare: (lost: LostDeclaration) => void;
  /** Told when a host is declared lost. */
  readonly onLost: (lost: LostDeclaration) => void;
  /**
   * How far behind this host's intake is, in milliseconds: how long its own
   * oldest heartbeat not yet heard back has been on its way (0 when none is).
   * A host flooded with messages hears everyone late, so the silence may be
   * its own. Default: never behind.
   */
  readonly intakeLagMs?: () => number;
}

/** The failure detector of one host. */
export class Membership {
  #seams: MembershipSeams;
  #heartbeatIntervalMs: number;
  #suspicionTimeoutMs: number;
  #voteLifetimeMs: number;
  #checkEveryMs: number;
  #timer: TimerHandle | undefined;
  #lastCheckMs: number;
  #tally: VoteTally = NO_VOTES;
  /** Votes about this host's own epochs. */
  #aboutSelf: VoteTally = NO_VOTES;
  /** When this host last voted, by `hostId@epoch`. */
  #voted = new Map<string, number>();
  /** The lost epoch of each host declared lost, and when (in order of declaration). */
  readonly #lost = new LostEpochs();
  /** When a zombie or a late voter was last told an epoch is lost, to avoid answering every message. */
  #toldZombie = new Map<string, number>();
  /** The monitoring ring of the members, made again when the view's members change. */
  #ring: MonitorRing | undefined;
  /**
   * When this host first counted each member epoch (`hostId@epoch`), noted
   * as the ring is made: a member that arrived after a suspect fell silent
   * never heard it, so it is no observer of it (its vote will never come).
   */
  #firstCounted = new Map<string, number>();
  /** The hosts this host watches, and since when (silence counts from then at most). */
  #watching = new Map<string, number>();
  /** The ring `#watching` was taken from. */
  #watchingRing: MonitorRing | undefined;
  #unwatchView: () => void;
  readonly #guards: VoteGuards;
  /** Reminders sent, by `hostId@epoch/voter`: a late voter gets a few, never a loop. */
  #reminded = new Map<string, number>();

  /**
   * @param seams Clock, view and publishing.
   * @param heartbeatIntervalMs How often hosts heartbeat.
   * @param suspicionTimeoutMs Silence that makes a host suspected.
   */
  constructor(seams: MembershipSeams, heartbeatIntervalMs: number, suspicionTimeoutMs: number) {
    this.#seams = seams;
    this.#heartbeatIntervalMs = heartbeatIntervalMs;
    this.#suspicionTimeoutMs = suspicionTimeoutMs;
    this.#voteLifetimeMs = 2 * suspicionTimeoutMs;
    this.#checkEveryMs = Math.max(10, Math.min(heartbeatIntervalMs, suspicionTimeoutMs / 4));
    this.#lastCheckMs = seams.clock.now();
    this.#guards = new VoteGuards(suspicionTimeoutMs);
    this.#unwatchView = seams.view.onChange(() => this.#ring = undefined);
  }

  /**
   * The hosts this host monitors now (their heartbeats are the ones it must
   * hear), in no order. A host it starts to watch counts as heard from then.
   */
  watched(): Iterable<string> {
    this.#updateWatching(this.#seams.clock.now());
    return this.#watching.keys();
  }

  /** Whether this host monitors `hostId` (a member or not). */
  watches(hostId: string): boolean {
    return this.#monitors(hostId).includes(this.#seams.selfId);
  }

  #monitors(hostId: string): string[] {
    return this.#currentRing().monitorsOf(hostId);
  }

  #currentRing(): MonitorRing {
    if (this.#ring !== undefined) return this.#ring;
    const members = [];
    const now = this.#seams.clock.now();
    const counted = new Map<string, number>();
    for (const host of this.#seams.view.hosts()) {
      if (!isMember(host.state)) continue;
      members.push({ hostId: host.hostId, watcher: host.monitors === true });
      const k = `${host.hostId}@${host.epoch}`;
      counted.set(k, this.#firstCounted.get(k) ?? Math.min(now, host.lastSeenMs));
    }
    this.#firstCounted = counted;
    this.#ring = new MonitorRing(members, MONITORS_PER_HOST);
    return this.#ring;
  }

  #updateWatching(now: number): void {
    const current = this.#currentRing();
    if (this.#watchingRing === current) return;
    this.#watchingRing = current;
    const next = new Map<string, number>();
    // A host newly watched is heard only once the subscription to its
    // heartbeats is in place (at the next heartbeat here): a beat of grace.
    for (const id of current.watchedBy(this.#seams.selfId)) {
      next.set(id, this.#watching.get(id) ?? now + this.#heartbeatIntervalMs);
    }
    this.#watching = next;
  }

  /** How long this host has not heard a host it watches (0 for one it does not watch). */
  #silenceMs(host: HostInfo, now: number): number {
    const since = this.#watching.get(host.hostId);
    if (since === undefined) return 0;
    return now - Math.max(host.lastSeenMs, since);
  }

  /** Starts checking. */
  start(): void {
    // A process that is still starting can run its first check late: that is
    // no outage the others saw.
    this.#lastCheckMs = this.#seams.clock.now();
    this.#guards.start(this.#lastCheckMs);
    this.#schedule();
  }

  /** Stops checking. */
  stop(): void {
    this.#unwatchView();
    if (this.#timer !== undefined) this.#seams.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Whether a heartbeat of this host and epoch comes from a lost epoch (a
   * zombie). Then this host's vote is published again (at most once per
   * heartbeat interval) so that the zombie learns it.
   */
  isZombie(hostId: string, epoch: number): boolean {
    const lostEpoch = this.#lostEpoch(hostId);
    if (lostEpoch === undefined || epoch > lostEpoch) return false;
    if (this.watches(hostId)) this.#remind(hostId, lostEpoch);
    return true;
  }

  /** Reminds a member that votes on an epoch judged here, three times at most. */
  #remindVoter(voter: string, hostId: string, lostEpoch: number): void {
    const k = `${hostId}@${lostEpoch}/${voter}`;
    const sent = this.#reminded.get(k) ?? 0;
    if (sent >= 3 || !this.watches(hostId)) return;
    if (this.#reminded.size >= MAX_LOST_EPOCHS) this.#reminded.clear();
    this.#reminded.set(k, sent + 1);
    this.#remind(hostId, lostEpoch);
  }

  /** Publishes this host's vote on a lost epoch again, at most once per heartbeat interval. */
  #remind(hostId: string, lostEpoch: number): void {
    const now = this.#seams.clock.now();
    if (now - (this.#toldZombie.get(hostId) ?? -Infinity) < this.#heartbeatIntervalMs) return;
    this.#toldZombie.set(hostId, now);
    if (this.#toldZombie.size > MAX_LOST_EPOCHS) this.#toldZombie.clear();
    this.#seams.declare({ hostId, epoch: lostEpoch });
  }

  /**
   * A host announced an epoch newer than the one that is a member here. If
   * the member's epoch has missed a heartbeat (one and a half intervals of
   * silence, when the newer epoch was heard `heartbeating` on the heartbeat
   * subject; the suspicion timeout less one interval for an announcement:
   * the process restarted), this host votes it lost at once; a forged
   * announcement for a host that keeps heartbeating changes nothing.
   *
   * @returns Whether the member's epoch is silent (false: the announcement conflicts with a live host).
   */
  newerEpochHeard(member: HostInfo, heartbeating = false): boolean {
    const now = this.#seams.clock.now();
    // Only a monitor hears the member's heartbeats, so only it can tell.
    if (!this.watches(member.hostId)) return false;
    // A new epoch heartbeating to its monitors while the old one misses
    // beats restarted; one announcement (anyone can make one up on an open
    // server) needs most of a suspicion timeout of silence, since a live
    // host on a loaded machine can be a few beats late.
    const silentEnoughMs = heartbeating
      ? 1.5 * this.#heartbeatIntervalMs
      : this.#suspicionTimeoutMs - this.#heartbeatIntervalMs;
    if (this.#silenceMs(member, now) < silentEnoughMs) return false;
    if (this.#mayVote(now)) this.#vote({ hostId: member.hostId, epoch: member.epoch }, now);
    this.#evaluate({ hostId: member.hostId, epoch: member.epoch }, now);
    return true;
  }

  /**
   * A `lost` message from `voter` (the sender token of its subject) about
   * another host, or one verdict of the digest `voter` answered this host's
   * discovery with (`fromDigest`: a vote of that member's too, but no
   * reminder goes out, and one about a host unknown here is no refusal: it
   * may have been judged before this host joined).
   *
   * @returns Why it was not counted, when it was refused.
   */
  heardVote(voter: string, lost: LostDeclaration, fromDigest = false): VoteRefusal | undefined {
    const { view, selfId, clock } = this.#seams;
    if (lost.hostId === selfId || voter === selfId) return undefined;
    if (fromDigest && voter === lost.hostId) return undefined;
    const lostEpoch = this.#lostEpoch(lost.hostId);
    if (lostEpoch !== undefined && lost.epoch <= lostEpoch) {
      // A member still voting on an epoch judged here missed the verdict's
      // votes (it was cut off then): this host's vote again lets it conclude.
      if (lost.epoch === lostEpoch && !fromDigest) {
        this.#remindVoter(voter, lost.hostId, lostEpoch);
      }
      return undefined;
    }
    const host = view.get(lost.hostId);
    if (host === undefined || lost.epoch > host.epoch) {
      return fromDigest ? undefined : "lost-unknown-epoch";
    }
    if (lost.epoch < host.epoch || !isMember(host.state)) return undefined;
    const now = clock.now();
    // A host declares itself lost (its loop hung, its worker was killed): it is over.
    if (voter === lost.hostId) return this.#judge(lost, now);
    if (!this.#isVoter(voter)) return "lost-from-non-member";
    this.#tally = addVote(this.#tally, { voter, ...lost }, now, this.#voteLifetimeMs);
    // A monitor seconds the vote at once when it has not heard it for most of the timeout too.
    this.#updateWatching(now);
    if (
      this.#watching.has(lost.hostId) &&
      this.#silenceMs(host, now) > this.#suspicionTimeoutMs - this.#heartbeatIntervalMs &&
      this.#mayVote(now)
    ) this.#vote(lost, now);
    this.#evaluate(lost, now);
    return undefined;
  }

  /**
   * A `lost` message from another member about this host's current epoch.
   *
   * @returns `fence` when the votes reach a verdict, `dispute` when they do
   *   not (this host should announce at once), `ignore` when the voter is not a member.
   */
  heardVoteAboutSelf(voter: string, epoch: number): SelfVerdict {
    const { selfId, clock } = this.#seams;
    if (voter === selfId || !this.#isVoter(voter)) return "ignore";
    const now = clock.now();
    // Just back from an outage of its own (cut off, or stalled): the others
    // had every reason to stop hearing it, and the members it counts may
    // be dead ones it has not judged yet. One member's verdict is enough.
    if (this.#guards.recentLongOutage(now)) {
      this.#aboutSelf = NO_VOTES;
      return "fence";
    }
    const vote = { voter, hostId: selfId, epoch };
    this.#aboutSelf = addVote(this.#aboutSelf, vote, now, this.#voteLifetimeMs);
    const verdict = standing(
      this.#aboutSelf,
      selfId,
      epoch,
      (v) => this.#isVoter(v),
      this.#observers(selfId, now),
      now,
      this.#voteLifetimeMs,
    );
    if (!verdict.lost) return "dispute";
    this.#aboutSelf = NO_VOTES;
    return "fence";
  }

  /**
   * The verdicts this host reached lately (within `LOST_DIGEST_WINDOW_MS`,
   * `MAX_LOST_DIGEST` at most, oldest first): a host that discovers the
   * cluster again after being cut off learns from them what it missed.
   */
  recentlyLost(): LostDeclaration[] {
    return this.#lost.recent(this.#seams.clock.now());
  }

  /** Forgets the votes about a host (it left). */
  forget(hostId: string): void {
    this.#tally = forgetHost(this.#tally, hostId);
  }

  #isVoter(voter: string): boolean {
    const host = this.#seams.view.get(voter);
    return host !== undefined && isMember(host.state);
  }

  /**
   * The live members that observe `suspect`: its monitors that are members
   * here and not suspected themselves (no live vote against them here, and
   * not silent when this host watches them), this host included when it is
   * one. Several hosts failing together are judged one after the other:
   * the votes against the silent ones take them out of each other's count.
   */
  #observers(suspect: string, now: number): number {
    const { view, selfId } = this.#seams;
    this.#updateWatching(now);
    const silentSince = this.#silentSinceMs(suspect, now);
    let count = 0;
    let suspectedOut = 0;
    for (const id of this.#monitors(suspect)) {
      if (id === selfId) {
        count++;
        continue;
      }
      const host = view.get(id);
      if (host === undefined || !isMember(host.state)) continue;
      if (this.#silenceMs(host, now) > this.#suspicionTimeoutMs) continue;
      if ((this.#firstCounted.get(`${id}@${host.epoch}`) ?? -Infinity) > silentSince) continue;
      if (this.#suspected(host.hostId, host.epoch, now)) {
        suspectedOut++;
        continue;
      }
      count++;
    }
    // Votes can be forged by a member, silence heard here cannot: a monitor
    // left out only for the votes against it never brings a verdict below two votes.
    return suspectedOut > 0 ? Math.max(count, 2) : count;
  }

  /**
   * Since when `suspect` may be silent: from its last heartbeat for a host
   * this one watches; else a suspicion timeout before the first live vote
   * on it (no vote is cast sooner); never for this host itself.
   */
  #silentSinceMs(suspect: string, now: number): number {
    if (suspect === this.#seams.selfId) return Infinity;
    const host = this.#seams.view.get(suspect);
    if (host === undefined) return Infinity;
    const since = this.#watching.get(suspect);
    if (since !== undefined) return Math.max(host.lastSeenMs, since);
    let first = Infinity;
    for (const atMs of this.#tally.get(`${suspect}@${host.epoch}`)?.values() ?? []) {
      if (now - atMs <= this.#voteLifetimeMs) first = Math.min(first, atMs);
    }
    return first - this.#suspicionTimeoutMs;
  }

  /** Whether a live vote against this epoch of a host is in the tally. */
  #suspected(hostId: string, epoch: number, now: number): boolean {
    const voters = this.#tally.get(`${hostId}@${epoch}`);
    if (voters === undefined) return false;
    for (const atMs of voters.values()) if (now - atMs <= this.#voteLifetimeMs) return true;
    return false;
  }

  #lostEpoch(hostId: string): number | undefined {
    const epoch = this.#lost.epochOf(hostId);
    if (epoch !== undefined) return epoch;
    // Past the remembered ones, the view's entry still says which epoch was lost.
    const host = this.#seams.view.get(hostId);
    return host?.state === "lost" ? host.epoch : undefined;
  }

  #mayVote(now: number): boolean {
    return this.#guards.mayVote(now, this.#seams.connected());
  }

  #vote(lost: LostDeclaration, now: number): void {
    const k = `${lost.hostId}@${lost.epoch}`;
    if (now - (this.#voted.get(k) ?? -Infinity) < this.#suspicionTimeoutMs) return;
    this.#voted.set(k, now);
    const vote = { voter: this.#seams.selfId, ...lost };
    this.#tally = addVote(this.#tally, vote, now, this.#voteLifetimeMs);
    this.#seams.declare(lost);
  }

  #evaluate(lost: LostDeclaration, now: number): void {
    const verdict = standing(
      this.#tally,
      lost.hostId,
      lost.epoch,
      (v) => this.#isVoter(v),
      this.#observers(lost.hostId, now),
      now,
      this.#voteLifetimeMs,
    );
    if (verdict.lost) this.#judge(lost, now);
  }

  #judge(lost: LostDeclaration, now: number): undefined {
    // A monitor's verdict is its vote too: the others count it. The other
    // hosts heard the same votes and stay silent.
    const k = `${lost.hostId}@${lost.epoch}`;
    if (!this.#voted.has(k) && (lost.hostId === this.#seams.selfId || this.watches(lost.hostId))) {
      this.#seams.declare(lost);
    }
    this.#voted.delete(k);
    this.#tally = forgetHost(this.#tally, lost.hostId);
    this.#lost.judged(lost, now);
    this.#seams.view.mark(lost.hostId, "lost", now);
    this.#seams.onLost(lost);
    return undefined;
  }

  #schedule(): void {
    this.#timer = this.#seams.clock.setTimeout(() => {
      this.#check();
      this.#schedule();
    }, this.#checkEveryMs);
    this.#seams.clock.keepAlive(this.#timer, false);
  }

  #check(): void {
    const { clock, view, connected } = this.#seams;
    const now = clock.now();
    const previousCheckMs = this.#lastCheckMs;
    const late = now - previousCheckMs - this.#checkEveryMs;
    this.#lastCheckMs = now;
    const mayJudge = this.#guards.checked({
      nowMs: now,
      previousCheckMs,
      lateMs: late,
      connected: connected(),
      intakeLagMs: this.#seams.intakeLagMs?.() ?? 0,
    });
    this.#tally = expireVotes(this.#tally, now, this.#voteLifetimeMs);
    this.#aboutSelf = expireVotes(this.#aboutSelf, now, this.#voteLifetimeMs);
    for (const [k, atMs] of this.#voted) {
      if (now - atMs > this.#voteLifetimeMs) this.#voted.delete(k);
    }
    if (!mayJudge) {
      // This host could not hear anyone (disconnected, just back, stalled or flooded):
      // the silence may be its own. Start everyone's clock afresh instead of voting.
      view.refreshAlive(now);
      return;
    }
    this.#updateWatching(now);
    for (const id of this.#watching.keys()) {
      // An unreachable host (its inbox bounced) is still only suspected: it is
      // voted on like a silent one, so that its actors move.
      const host = view.get(id);
      if (host === undefined || host.self || !isMember(host.state)) continue;
      if (this.#silenceMs(host, now) > this.#suspicionTimeoutMs) {
        const lost = { hostId: host.hostId, epoch: host.epoch };
        this.#vote(lost, now);
        this.#evaluate(lost, now);
      }
    }
  }
}
