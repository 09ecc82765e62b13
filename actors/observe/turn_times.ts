/**
 * How long handler turns take, per actor type, as histograms with fixed
 * buckets (the same for every type and host, so they add up across hosts).
 * Filled only while turns are observed (metrics or tracing on).
 *
 * @module
 */

/** Upper bounds of the buckets, in milliseconds (a last bucket takes everything above). */
export const TURN_BUCKETS_MS: readonly number[] = [
  0.1,
  0.5,
  1,
  5,
  10,
  50,
  100,
  500,
  1_000,
  5_000,
  10_000,
];

/** The turn times of one actor type. */
export interface TurnHistogram {
  /** Turns per bucket of {@linkcode TURN_BUCKETS_MS}, not cumulative, plus one above the last. */
  readonly counts: readonly number[];
  /** Turns timed. */
  readonly count: number;
  /** Their total time, in milliseconds. */
  readonly sumMs: number;
}

/** Turn times by actor type. */
export class TurnTimes {
  readonly #byType = new Map<string, { counts: number[]; count: number; sumMs: number }>();

  /** Records one turn of an actor of `type` that took `ms`. */
  record(type: string, ms: number): void {
    let entry = this.#byType.get(type);
    if (entry === undefined) {
      entry = { counts: new Array(TURN_BUCKETS_MS.length + 1).fill(0), count: 0, sumMs: 0 };
      this.#byType.set(type, entry);
    }
    let bucket = 0;
    while (bucket < TURN_BUCKETS_MS.length && ms > TURN_BUCKETS_MS[bucket]) bucket++;
    entry.counts[bucket]++;
    entry.count++;
    entry.sumMs += ms;
  }

  /** A copy of the histograms so far, by type. */
  snapshot(): Record<string, TurnHistogram> {
    const out: Record<string, TurnHistogram> = {};
    for (const [type, { counts, count, sumMs }] of this.#byType) {
      out[type] = { counts: [...counts], count, sumMs };
    }
    return out;
  }
}
