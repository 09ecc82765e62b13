/**
 * The votes one host holds while it judges: the live votes heard on each
 * suspect epoch (`lost_votes.ts`), when the first of them was heard (a
 * renewed vote does not move it: the silence voted on is dated from it, see
 * `observers.ts`), and when this host last voted on each epoch itself (it
 * votes again at most once a suspicion timeout). Every change goes through
 * here, so the three stay in step.
 *
 * @module
 */

import type { LostDeclaration } from "./lost_epochs.ts";
import {
  addVote,
  expireVotes,
  forgetHost,
  type LostVote,
  NO_VOTES,
  type Standing,
  standing,
  type VoteTally,
} from "./lost_votes.ts";

const key = (lost: LostDeclaration) => `${lost.hostId}@${lost.epoch}`;

/** The votes of one host's failure detector. */
export class VoteBook {
  readonly #lifetimeMs: number;
  #tally: VoteTally = NO_VOTES;
  /** When the first live vote on each suspect epoch (`hostId@epoch`) was heard. */
  readonly #firstVotes = new Map<string, number>();
  /** When this host last voted, by `hostId@epoch`. */
  readonly #voted = new Map<string, number>();

  /** @param lifetimeMs How long a vote counts, in milliseconds. */
  constructor(lifetimeMs: number) {
    this.#lifetimeMs = lifetimeMs;
  }

  /** The live votes. */
  get tally(): VoteTally {
    return this.#tally;
  }

  /** When the first of the live votes on each suspect epoch was heard. */
  get firstVotes(): ReadonlyMap<string, number> {
    return this.#firstVotes;
  }

  /** Counts `vote`, heard at `atMs` (a voter's repeated vote renews it). */
  add(vote: LostVote, atMs: number): void {
    this.#tally = addVote(this.#tally, vote, atMs, this.#lifetimeMs);
    const k = key(vote);
    if (!this.#firstVotes.has(k)) this.#firstVotes.set(k, atMs);
  }

  /** Whether `voter`'s vote on `lost` is counted now. */
  has(voter: string, lost: LostDeclaration): boolean {
    return this.#tally.get(key(lost))?.has(voter) ?? false;
  }

  /**
   * Notes that this host votes on `lost` now, unless it did within `gapMs`.
   *
   * @returns Whether it may vote (then the vote is counted here too).
   */
  voteOwn(selfId: string, lost: LostDeclaration, nowMs: number, gapMs: number): boolean {
    const k = key(lost);
    if (nowMs - (this.#voted.get(k) ?? -Infinity) < gapMs) return false;
    this.#voted.set(k, nowMs);
    this.add({ voter: selfId, ...lost }, nowMs);
    return true;
  }

  /** Whether this host voted on `lost` itself (and it was not judged since). */
  votedOwn(lost: LostDeclaration): boolean {
    return this.#voted.has(key(lost));
  }

  /** Where the votes on `lost` stand, counting only voters `canVote` accepts. */
  standing(
    lost: LostDeclaration,
    canVote: (voter: string) => boolean,
    observers: number,
    nowMs: number,
  ): Standing {
    return standing(
      this.#tally,
      lost.hostId,
      lost.epoch,
      canVote,
      observers,
      nowMs,
      this.#lifetimeMs,
    );
  }

  /** `lost` was judged: its votes, and this host's own, are done with. */
  judged(lost: LostDeclaration): void {
    this.#voted.delete(key(lost));
    this.forget(lost.hostId);
  }

  /** Forgets every vote about a host. */
  forget(hostId: string): void {
    this.#tally = forgetHost(this.#tally, hostId);
    this.#syncFirstVotes();
  }

  /** Drops what no longer counts at `nowMs`. */
  expire(nowMs: number): void {
    this.#tally = expireVotes(this.#tally, nowMs, this.#lifetimeMs);
    this.#syncFirstVotes();
    for (const [k, atMs] of this.#voted) {
      if (nowMs - atMs > this.#lifetimeMs) this.#voted.delete(k);
    }
  }

  /** Drops the first votes of epochs no live vote is about any more (judged, expired, forgotten). */
  #syncFirstVotes(): void {
    for (const k of this.#firstVotes.keys()) if (!this.#tally.has(k)) this.#firstVotes.delete(k);
  }
}
