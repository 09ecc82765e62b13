/**
 * A host's message rate, from a running count of handled messages sampled
 * now and then (heartbeats, inspections): no work on the message path.
 *
 * @module
 */

/** The shortest window a rate is computed over, in milliseconds. */
const WINDOW_MS = 1_000;

interface Sample {
  readonly atMs: number;
  readonly handled: number;
}

/** Turns samples of a running count into a rate per second. */
export class LoadMeter {
  #older: Sample;
  #newer: Sample;

  /** @param startMs When counting began. */
  constructor(startMs: number) {
    this.#older = this.#newer = { atMs: startMs, handled: 0 };
  }

  /**
   * Records the count now and returns the rate, in messages per second, over
   * the last one to two seconds when sampled at least once a second (else
   * since the previous sample).
   */
  sample(atMs: number, handled: number): number {
    const base = atMs - this.#newer.atMs >= WINDOW_MS ? this.#newer : this.#older;
    const elapsedMs = atMs - base.atMs;
    const rate = elapsedMs > 0 ? Math.max(0, handled - base.handled) * 1_000 / elapsedMs : 0;
    if (atMs - this.#newer.atMs >= WINDOW_MS) {
      this.#older = this.#newer;
      this.#newer = { atMs, handled };
    }
    return rate;
  }
}
