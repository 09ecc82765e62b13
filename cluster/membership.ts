/**
 * Membership and failure detection: every host heartbeats (its announcement,
 * every `heartbeatIntervalMs`) to the few peers that monitor it
 * (`monitors.ts`); a monitor that has not heard a host it watches for
 * `suspicionTimeoutMs` votes that it is lost (a `lost` message on its own
 * subject, heard by every host), and a host is declared lost when enough
 * distinct live members voted (`lost_votes.ts`): a majority of its monitors
 * that are not suspected themselves (its two fast monitors alone while both
 * are, `observers.ts`), and at least two of them in a cluster of three hosts
 * or more. Only monitors vote, second or remind: the cost of
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

import type { TimerHandle } from "../base/clock.ts";
import { type HostInfo, isMember } from "./view.ts";
import type { LostDeclaration } from "./lost_epochs.ts";
import { WatchedMembers } from "./watched_members.ts";
import { LostReminders } from "./lost_reminders.ts";
import { RECONNECT_GRACE_MS, VoteGuards } from "./vote_guards.ts";
import { UnheardEpochs } from "./unheard_epochs.ts";
import type { MembershipSeams, SelfVerdict, VoteRefusal } from "./membership_seams.ts";
import { Verdicts } from "./verdicts.ts";

/** Default heartbeat interval, in milliseconds. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 250;
/** Default silence after which a host is declared lost, in milliseconds. */
export const DEFAULT_SUSPICION_TIMEOUT_MS = 1_000;
export { RECONNECT_GRACE_MS };
export type { LostDeclaration, MembershipSeams, SelfVerdict, VoteRefusal };

/** The failure detector of one host. */
export class Membership {
  #seams: MembershipSeams;
  #heartbeatIntervalMs: number;
  #suspicionTimeoutMs: number;
  #checkEveryMs: number;
  #timer: TimerHandle | undefined;
  #lastCheckMs: number;
  /** The votes heard and cast, and the verdicts reached (`verdicts.ts`). */
  readonly #verdicts: Verdicts;
  /** Who this host watches, and who observes whom. */
  readonly #watching: WatchedMembers;
  readonly #reminders: LostReminders;
  #unwatchView: () => void;
  readonly #guards: VoteGuards;
  readonly #unheard: UnheardEpochs;

  /**
   * @param seams Clock, view and publishing.
   * @param heartbeatIntervalMs How often hosts heartbeat.
   * @param suspicionTimeoutMs Silence that makes a host suspected.
   */
  constructor(seams: MembershipSeams, heartbeatIntervalMs: number, suspicionTimeoutMs: number) {
    this.#seams = seams;
    this.#heartbeatIntervalMs = heartbeatIntervalMs;
    this.#suspicionTimeoutMs = suspicionTimeoutMs;
    this.#checkEveryMs = Math.max(10, Math.min(heartbeatIntervalMs, suspicionTimeoutMs / 4));
    this.#lastCheckMs = seams.clock.now();
    this.#guards = new VoteGuards(suspicionTimeoutMs);
    this.#unheard = new UnheardEpochs(suspicionTimeoutMs);
    this.#watching = new WatchedMembers(seams.selfId, seams.view, heartbeatIntervalMs);
    this.#reminders = new LostReminders(heartbeatIntervalMs, (lost) => seams.declare(lost));
    this.#unwatchView = seams.view.onChange(() => this.#watching.invalidate());
    this.#verdicts = new Verdicts(seams, this.#watching, this.#guards, suspicionTimeoutMs);
  }

  /**
   * The hosts this host monitors now (their heartbeats are the ones it must
   * hear), in no order. A host it starts to watch counts as heard from then.
   */
  watched(): Iterable<string> {
    return this.#watching.watched(this.#seams.clock.now());
  }

  /** Whether this host hears `hostId`, a host it watches, on its sparse heartbeats (`monitors.ts`). */
  hearsSlowly(hostId: string): boolean {
    const host = this.#seams.view.get(hostId);
    return host !== undefined && this.#watching.hearsSlowly(host, this.#seams.clock.now());
  }

  /** Whether this host monitors `hostId` (a member or not). */
  watches(hostId: string): boolean {
    return this.#watching.watches(hostId, this.#seams.clock.now());
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
    const lostEpoch = this.#verdicts.lostEpoch(hostId);
    if (lostEpoch === undefined || epoch > lostEpoch) return false;
    if (this.watches(hostId)) this.#reminders.remind(hostId, lostEpoch, this.#seams.clock.now());
    return true;
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
    if (this.#watching.silenceMs(member, now) < silentEnoughMs) return false;
    if (this.#verdicts.mayVote(now)) {
      this.#verdicts.vote({ hostId: member.hostId, epoch: member.epoch }, now);
    }
    this.#verdicts.evaluate({ hostId: member.hostId, epoch: member.epoch }, now);
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
    const lostEpoch = this.#verdicts.lostEpoch(lost.hostId);
    const host = view.get(lost.hostId);
    const now = clock.now();
    if (lost.epoch === lostEpoch) {
      // A member still voting on an epoch judged here missed the verdict's
      // votes (it was cut off then): this host's vote again lets it conclude.
      if (!fromDigest && this.watches(lost.hostId)) {
        this.#reminders.remindVoter(voter, lost.hostId, lost.epoch, now);
      }
      return undefined;
    }
    if (lost.epoch < Math.max(lostEpoch ?? -Infinity, host?.epoch ?? -Infinity)) {
      // One older than an epoch known here: the voter missed that its host
      // started again (cut off, or fenced and rejoined with its old view:
      // seed 5989). This host's vote on it lets the voter conclude, and
      // admit the newer one.
      if (!fromDigest && this.#verdicts.isVoter(voter) && this.watches(lost.hostId)) {
        this.#reminders.remindVoter(voter, lost.hostId, lost.epoch, now);
      }
      return undefined;
    }
    if (host === undefined || lost.epoch > host.epoch) {
      if (fromDigest) return undefined;
      // Counted if that epoch is admitted here while the vote still counts.
      this.#verdicts.early.note(voter, lost, now);
      // Maybe this host missed that epoch: a monitor of that host asks
      // (`unheard_epochs.ts`; only monitors: a made-up vote costs as much as
      // a failure does, whatever the cluster's size).
      if (this.#verdicts.isVoter(voter) && this.watches(lost.hostId)) {
        this.#unheard.voted(lost, now);
        if (this.#unheard.ask(now)) this.#seams.probe?.();
      }
      return "lost-unknown-epoch";
    }
    if (!isMember(host.state)) return undefined;
    // A host declares itself lost (its loop hung, its worker was killed): it is over.
    if (voter === lost.hostId) return this.#verdicts.judge(lost, now);
    if (!this.#verdicts.isVoter(voter)) return "lost-from-non-member";
    this.#verdicts.votes.add({ voter, ...lost }, now);
    // A monitor seconds the vote at once when it has not heard it for most of the timeout too.
    this.#watching.update(now);
    if (
      this.#watching.watchingSince(lost.hostId) !== undefined &&
      this.#watching.silenceMs(host, now) > this.#suspicionTimeoutMs - this.#heartbeatIntervalMs &&
      this.#verdicts.mayVote(now)
    ) this.#verdicts.vote(lost, now);
    this.#verdicts.evaluate(lost, now);
    return undefined;
  }

  /**
   * A `lost` message from another member about this host's current epoch.
   *
   * @returns `fence` when the votes reach a verdict, `dispute` when they do
   *   not (this host should announce at once), `ignore` when the voter is not a member.
   */
  heardVoteAboutSelf(voter: string, epoch: number): SelfVerdict {
    return this.#verdicts.heardAboutSelf(voter, epoch, this.#seams.clock.now());
  }

  /**
   * The verdicts this host reached lately (within `LOST_DIGEST_WINDOW_MS`,
   * `MAX_LOST_DIGEST` at most, oldest first): a host that discovers the
   * cluster again after being cut off learns from them what it missed.
   */
  recentlyLost(): LostDeclaration[] {
    return this.#verdicts.lost.recent(this.#seams.clock.now());
  }

  /**
   * Something of `hostId` was heard (a well-formed announcement, heartbeat
   * or discovery answer, of any epoch): a vote on an epoch of it this host
   * never heard is no longer followed (`unheard_epochs.ts`).
   */
  heardFrom(hostId: string): void {
    this.#unheard.heardFrom(hostId);
  }

  /** Forgets the votes about a host (it left). */
  forget(hostId: string): void {
    this.#verdicts.votes.forget(hostId);
  }

  /**
   * Asks everyone to announce for the epochs members voted on that this
   * host never heard, and votes on those whose host stayed silent for a
   * wait after it asked (`unheard_epochs.ts`). It judges none of them; one
   * of a host that is no member here is held lost, so that the other
   * monitors' votes on it are not a question again (they would ask and
   * vote in turn for ever).
   */
  #followUnheard(now: number): void {
    const { view, probe, declare } = this.#seams;
    if (this.#unheard.ask(now)) probe?.();
    const known = (id: string) =>
      Math.max(view.get(id)?.epoch ?? -Infinity, this.#verdicts.lostEpoch(id) ?? -Infinity);
    for (const lost of this.#unheard.due(now, known)) {
      declare(lost);
      const host = view.get(lost.hostId);
      if (host === undefined || !isMember(host.state)) this.#verdicts.lost.judged(lost, now);
    }
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
    this.#verdicts.expire(now);
    if (!mayJudge) {
      // This host could not hear anyone (disconnected, just back, stalled or flooded):
      // the silence may be its own. Start everyone's clock afresh instead of voting.
      view.refreshAlive(now);
      return;
    }
    this.#followUnheard(now);
    this.#verdicts.countEarly(now);
    for (const id of this.#watching.watched(now)) {
      // An unreachable host (its inbox bounced) is still only suspected: it is
      // voted on like a silent one, so that its actors move.
      const host = view.get(id);
      if (host === undefined || host.self || !isMember(host.state)) continue;
      if (this.#watching.silenceMs(host, now) > this.#suspicionTimeoutMs) {
        const lost = { hostId: host.hostId, epoch: host.epoch };
        this.#verdicts.vote(lost, now);
        this.#verdicts.evaluate(lost, now);
      }
    }
  }
}
