/**
 * The failure detector's judging half: it counts the votes on a suspect
 * against its observers (`observers.ts`, `lost_votes.ts`), casts this host's
 * own votes when its guards allow, and declares a host lost when the votes
 * reach a verdict. `membership.ts` decides what it heard and when it checks;
 * this holds the tally and the verdicts reached.
 *
 * @module
 */

import { isMember } from "./view.ts";
import { type LostDeclaration, LostEpochs } from "./lost_epochs.ts";
import type { WatchedMembers } from "./watched_members.ts";
import { countObservers } from "./observers.ts";
import { VoteBook } from "./vote_book.ts";
import type { VoteGuards } from "./vote_guards.ts";
import type { MembershipSeams } from "./membership_seams.ts";
import { EarlyVotes } from "./early_votes.ts";
import { SelfVotes } from "./self_votes.ts";
import type { SelfVerdict } from "./membership_seams.ts";

/** The votes one host holds, and the verdicts it reached. */
export class Verdicts {
  readonly #seams: MembershipSeams;
  readonly #watching: WatchedMembers;
  readonly #guards: VoteGuards;
  readonly #suspicionTimeoutMs: number;
  readonly #voteLifetimeMs: number;
  /** The live votes, and this host's own (`vote_book.ts`). */
  readonly votes: VoteBook;
  /** The lost epoch of each host declared lost, and when (in order of declaration). */
  readonly lost = new LostEpochs();
  /** Votes on epochs not admitted here when they were heard (`early_votes.ts`). */
  readonly early: EarlyVotes;
  /** Votes about this host's own epochs. */
  readonly #aboutSelf: SelfVotes;

  /**
   * @param seams Clock, view and publishing.
   * @param watching Who this host watches, and who observes whom.
   * @param guards When this host may vote.
   * @param suspicionTimeoutMs Silence that makes a host suspected.
   */
  constructor(
    seams: MembershipSeams,
    watching: WatchedMembers,
    guards: VoteGuards,
    suspicionTimeoutMs: number,
  ) {
    this.#seams = seams;
    this.#watching = watching;
    this.#guards = guards;
    this.#suspicionTimeoutMs = suspicionTimeoutMs;
    this.#voteLifetimeMs = 2 * suspicionTimeoutMs;
    this.votes = new VoteBook(this.#voteLifetimeMs);
    this.early = new EarlyVotes(this.#voteLifetimeMs);
    this.#aboutSelf = new SelfVotes(this.#voteLifetimeMs);
  }

  /** Whether `voter` is a member here (only members' votes count). */
  isVoter(voter: string): boolean {
    const host = this.#seams.view.get(voter);
    return host !== undefined && isMember(host.state);
  }

  /** How many live members observe `suspect` now (`observers.ts`). */
  observers(suspect: string, now: number): number {
    return countObservers(suspect, now, {
      selfId: this.#seams.selfId,
      view: this.#seams.view,
      watching: this.#watching,
      tally: this.votes.tally,
      firstVotes: this.votes.firstVotes,
      suspicionTimeoutMs: this.#suspicionTimeoutMs,
      voteLifetimeMs: this.#voteLifetimeMs,
    });
  }

  /** The epoch of `hostId` judged lost here, if one was. */
  lostEpoch(hostId: string): number | undefined {
    const epoch = this.lost.epochOf(hostId);
    if (epoch !== undefined) return epoch;
    // Past the remembered ones, the view's entry still says which epoch was lost.
    const host = this.#seams.view.get(hostId);
    return host?.state === "lost" ? host.epoch : undefined;
  }

  /** Whether this host may vote now (`vote_guards.ts`). */
  mayVote(now: number): boolean {
    return this.#guards.mayVote(now, this.#seams.connected());
  }

  /** Votes on `lost`, unless this host did within a suspicion timeout. */
  vote(lost: LostDeclaration, now: number): void {
    const { selfId, declare } = this.#seams;
    if (this.votes.voteOwn(selfId, lost, now, this.#suspicionTimeoutMs)) declare(lost);
  }

  /** Judges `lost` when the votes on it reach a verdict. */
  evaluate(lost: LostDeclaration, now: number): void {
    const observers = this.observers(lost.hostId, now);
    if (this.votes.standing(lost, (v) => this.isVoter(v), observers, now).lost) {
      this.judge(lost, now);
    }
  }

  /** Forgets the votes older than their lifetime. */
  expire(now: number): void {
    this.votes.expire(now);
    this.#aboutSelf.expire(now);
  }

  /**
   * A vote of `voter` about this host's own epoch `epoch`, heard at `now`.
   *
   * @returns What this host does about it (`self_votes.ts`).
   */
  heardAboutSelf(voter: string, epoch: number, now: number): SelfVerdict {
    const { selfId } = this.#seams;
    return this.#aboutSelf.heard(voter, epoch, now, {
      selfId,
      canVote: (v) => this.isVoter(v),
      observers: () => this.observers(selfId, now),
      recentLongOutage: this.#guards.recentLongOutage(now),
    });
  }

  /** Counts the votes heard on epochs before they were admitted here (`early_votes.ts`). */
  countEarly(now: number): void {
    if (this.early.size === 0) return;
    const { view } = this.#seams;
    const due = this.early.admitted(now, (id) => {
      const host = view.get(id);
      return host !== undefined && isMember(host.state) ? host.epoch : undefined;
    });
    const suspects = new Map<string, LostDeclaration>();
    for (const { voter, lost, atMs } of due) {
      if (!this.isVoter(voter) || this.votes.has(voter, lost)) continue;
      this.votes.add({ voter, ...lost }, atMs);
      suspects.set(`${lost.hostId}@${lost.epoch}`, lost);
    }
    for (const lost of suspects.values()) this.evaluate(lost, now);
  }

  /** Declares `lost` lost here, and tells the host. */
  judge(lost: LostDeclaration, now: number): undefined {
    const { selfId, declare, view, onLost } = this.#seams;
    // A monitor's verdict is its vote too: the others count it. The other
    // hosts heard the same votes and stay silent.
    if (
      !this.votes.votedOwn(lost) &&
      (lost.hostId === selfId || this.#watching.watches(lost.hostId, now))
    ) declare(lost);
    this.votes.judged(lost);
    this.lost.judged(lost, now);
    view.mark(lost.hostId, "lost", now);
    onLost(lost);
    return undefined;
  }
}
