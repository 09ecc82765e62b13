/**
 * The votes other members cast on this host's own current epoch, and what
 * they amount to: a verdict (this host fences itself) or not yet (it
 * disputes them by announcing at once). Pure apart from its tally: the
 * caller says who may vote, how many observe this host, and whether this
 * host was just cut off or stalled.
 *
 * @module
 */

import { addVote, expireVotes, NO_VOTES, standing, type VoteTally } from "./lost_votes.ts";
import type { SelfVerdict } from "./membership_seams.ts";

/** What judging one vote about this host reads. */
export interface SelfVoteContext {
  /** This host's id. */
  readonly selfId: string;
  /** Whether a member may vote (a live member here). */
  readonly canVote: (voter: string) => boolean;
  /** How many live members observe this host. */
  readonly observers: () => number;
  /** Whether this host is just back from an outage of its own. */
  readonly recentLongOutage: boolean;
}

/** The tally of the votes about this host. */
export class SelfVotes {
  #tally: VoteTally = NO_VOTES;
  readonly #lifetimeMs: number;

  /** @param lifetimeMs How long a vote counts, in milliseconds. */
  constructor(lifetimeMs: number) {
    this.#lifetimeMs = lifetimeMs;
  }

  /**
   * A vote of `voter`'s on this host's current `epoch`.
   *
   * @returns `fence` when the votes reach a verdict, `dispute` when they do
   *   not, `ignore` when the voter may not vote.
   */
  heard(voter: string, epoch: number, nowMs: number, context: SelfVoteContext): SelfVerdict {
    const { selfId, canVote } = context;
    if (voter === selfId || !canVote(voter)) return "ignore";
    // Just back from an outage of its own (cut off, or stalled): the others
    // had every reason to stop hearing it, and the members it counts may
    // be dead ones it has not judged yet. One member's verdict is enough.
    if (context.recentLongOutage) {
      this.#tally = NO_VOTES;
      return "fence";
    }
    const vote = { voter, hostId: selfId, epoch };
    this.#tally = addVote(this.#tally, vote, nowMs, this.#lifetimeMs);
    const verdict = standing(
      this.#tally,
      selfId,
      epoch,
      canVote,
      context.observers(),
      nowMs,
      this.#lifetimeMs,
    );
    if (!verdict.lost) return "dispute";
    this.#tally = NO_VOTES;
    return "fence";
  }

  /** Drops the votes past their lifetime. */
  expire(nowMs: number): void {
    this.#tally = expireVotes(this.#tally, nowMs, this.#lifetimeMs);
  }
}
