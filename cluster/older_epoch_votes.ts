/**
 * What a host does when members vote on one of its older epochs: it
 * restarted or rejoined while they still counted that epoch. A host that
 * heard the new epoch's announcements then refused them (the old epoch
 * seemed live) and, since announcements go out on changes only, would not
 * hear them again: a heartbeat interval after the first vote (by then the
 * verdict is reached), the host announces again, twice, as when it joined.
 * Three times per old epoch at most, so votes never make a loop.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../base/clock.ts";

/** Re-announcements per older epoch, at most. */
export const MAX_REANNOUNCEMENTS = 3;

/** The re-announcements of one host. */
export class OlderEpochVotes {
  readonly #clock: Clock;
  readonly #delayMs: number;
  readonly #reannounce: () => void;
  #current: { epoch: number; times: number; timer: TimerHandle | undefined } | undefined;

  /**
   * @param clock The time source.
   * @param delayMs From the first vote to the re-announcement, in milliseconds.
   * @param reannounce Announces this host again (as when it joined).
   */
  constructor(clock: Clock, delayMs: number, reannounce: () => void) {
    this.#clock = clock;
    this.#delayMs = delayMs;
    this.#reannounce = reannounce;
  }

  /** A member voted on `epoch`, an older epoch of this host. */
  heard(epoch: number): void {
    const clock = this.#clock;
    const current = this.#current?.epoch === epoch ? this.#current : undefined;
    if (current !== undefined && (current.times >= MAX_REANNOUNCEMENTS || current.timer)) return;
    this.stop();
    const entry = current ?? { epoch, times: 0, timer: undefined };
    this.#current = entry;
    entry.timer = clock.setTimeout(() => {
      entry.timer = undefined;
      entry.times++;
      this.#reannounce();
    }, this.#delayMs);
    clock.keepAlive(entry.timer, false);
  }

  /** Drops a pending re-announcement. */
  stop(): void {
    if (this.#current?.timer === undefined) return;
    this.#clock.clearTimeout(this.#current.timer);
    this.#current.timer = undefined;
  }
}
