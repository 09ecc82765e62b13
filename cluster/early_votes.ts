/**
 * Votes heard before their epoch was admitted here. A host that joined
 * while `X` was cut off never heard `X`'s epoch, so it refuses the votes on
 * it as about an epoch it does not know. When `X` comes back it announces
 * that epoch again before it hears the verdict and fences, and the new host
 * admits the lost epoch from those announcements; if it does not monitor
 * `X`, nothing after that tells it the epoch is over: the others judged it
 * already and vote no more (chaos seed 2650). So the votes refused as about
 * an unknown epoch are kept, with when they were heard, for as long as a
 * vote counts; once that epoch is admitted here they are counted as if they
 * had been heard on time: this host then stands where a host that knew the
 * epoch all along stands, and judges by the same rule (a verdict still
 * needs the votes of more than one member). No message is sent for it.
 *
 * @module
 */

import type { LostDeclaration } from "./lost_epochs.ts";

/** Early votes kept at most (a flood of votes on made-up epochs pushes the oldest out). */
export const MAX_EARLY_VOTES = 256;

/** A vote kept until its epoch is admitted, or it expires. */
export interface EarlyVote {
  readonly voter: string;
  readonly lost: LostDeclaration;
  /** When it was heard, in milliseconds of the host's clock. */
  readonly atMs: number;
}

/** The votes on epochs this host has not admitted (yet). */
export class EarlyVotes {
  readonly #lifetimeMs: number;
  /** In the order heard, by `voter/hostId@epoch`. */
  readonly #votes = new Map<string, EarlyVote>();

  /** @param lifetimeMs How long a vote counts, in milliseconds. */
  constructor(lifetimeMs: number) {
    this.#lifetimeMs = lifetimeMs;
  }

  /** How many are kept now. */
  get size(): number {
    return this.#votes.size;
  }

  /** Keeps a vote refused as about an epoch not known here. */
  note(voter: string, lost: LostDeclaration, atMs: number): void {
    const k = `${voter}/${lost.hostId}@${lost.epoch}`;
    this.#votes.delete(k);
    if (this.#votes.size >= MAX_EARLY_VOTES) {
      this.#votes.delete(this.#votes.keys().next().value!);
    }
    this.#votes.set(k, { voter, lost, atMs });
  }

  /**
   * Takes out the votes whose epoch is now the member epoch of its host
   * (`memberEpoch`), and drops the ones that no longer count.
   */
  admitted(nowMs: number, memberEpoch: (hostId: string) => number | undefined): EarlyVote[] {
    const due: EarlyVote[] = [];
    for (const [k, vote] of this.#votes) {
      if (nowMs - vote.atMs > this.#lifetimeMs) {
        this.#votes.delete(k);
        continue;
      }
      if (memberEpoch(vote.lost.hostId) !== vote.lost.epoch) continue;
      this.#votes.delete(k);
      due.push(vote);
    }
    return due;
  }
}
