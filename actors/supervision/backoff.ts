/**
 * Exponential restart backoff with jitter.
 *
 * @module
 */

/** Restart delays: `minMs * factor^attempt`, capped at `maxMs`, spread by `jitter`. */
export interface BackoffOptions {
  /** The delay before the first restart, in milliseconds (> 0). */
  readonly minMs: number;
  /** The longest delay, in milliseconds (>= minMs). */
  readonly maxMs: number;
  /**
   * How much each consecutive restart multiplies the delay (>= 1).
   * @default {2}
   */
  readonly factor?: number;
  /**
   * The random spread, as a fraction of the delay: `0.2` gives delays within ±20%.
   * Between 0 and 1; the result never leaves `[minMs, maxMs]`.
   * @default {0.2}
   */
  readonly jitter?: number;
  /**
   * A child that runs this long without failing starts again from `minMs`.
   * @default {the strategy's withinMs}
   */
  readonly resetAfterMs?: number;
}

/**
 * The delay before restart number `attempt` (0 for the first of a series).
 *
 * @param random A source of numbers in [0, 1), replaceable in tests.
 */
export function backoffDelayMs(
  attempt: number,
  options: Required<Omit<BackoffOptions, "resetAfterMs">>,
  random: () => number = Math.random,
): number {
  const { minMs, maxMs, factor, jitter } = options;
  const base = Math.min(maxMs, minMs * Math.pow(factor, attempt));
  const spread = base * jitter * (random() * 2 - 1);
  return Math.min(maxMs, Math.max(minMs, base + spread));
}
