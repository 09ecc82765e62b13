/**
 * A host's epoch and how it fences itself. The others declared it lost (it
 * was frozen or cut off), or it hung: its actors may already run elsewhere,
 * so they stop, and the host rejoins as a new epoch, later than its old one
 * and than any announced in its name by someone else (the others refuse an
 * epoch older than one they heard). `presence.ts` stays silent meanwhile.
 *
 * @module
 */

import type { FenceCause, PresenceSeams } from "./presence_seams.ts";

/** The epoch of one host, and its fencing. */
export class SelfFencing {
  readonly #seams: PresenceSeams;
  readonly #epochFloor: () => number;
  readonly #rejoin: () => void;
  #epoch: number;
  #fencing = false;

  /**
   * Starts at the host's first epoch, not fencing.
   *
   * @param seams The host's presence seams.
   * @param epoch Its first epoch.
   * @param epochFloor The least epoch it may take next (`presence_intake.ts`).
   * @param rejoin Announces the new epoch and asks everyone to answer.
   */
  constructor(
    seams: PresenceSeams,
    epoch: number,
    epochFloor: () => number,
    rejoin: () => void,
  ) {
    this.#seams = seams;
    this.#epoch = epoch;
    this.#epochFloor = epochFloor;
    this.#rejoin = rejoin;
  }

  /** This host's current epoch. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Whether it fences itself now. */
  get fencing(): boolean {
    return this.#fencing;
  }

  /**
   * The others declared this host lost (it was frozen or cut off), or it
   * hung: its actors may already run elsewhere, so they stop now, and the
   * host rejoins as a new epoch. Once at a time.
   *
   * @param cause Why it fences itself.
   */
  async fence(cause: FenceCause): Promise<void> {
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
      this.#epoch = Math.max(clock.now(), this.#epoch + 1, this.#epochFloor());
    } finally {
      this.#fencing = false;
    }
    this.#rejoin();
  }
}
