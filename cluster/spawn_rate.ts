/**
 * The rate of spawn requests a host accepts from each requesting host: a
 * token bucket per requester id (the sender token of the request's subject,
 * which NATS permissions can bind to a connection). A spawn costs the
 * receiving host a module import, an actor and its `init`; without a bound,
 * one client can make a host spawn until it runs out of memory.
 *
 * The defaults are generous on purpose: a supervisor host that restarts
 * thousands of children after a failover sends them as a burst, and must
 * never be slowed by this. A burst of 10,000 covers the largest failover
 * measured here (3,000 actors, 10,000 in the targets) in one go, and a
 * refill of 2,000/s keeps a sustained stream of restarts flowing; a flood
 * beyond that is refused with `SpawnRateLimitedError` and counted.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import { InvalidOptionError } from "../base/errors.ts";

/**
 * How many spawn requests a host accepts from one requesting host.
 *
 * @example
 * ```ts
 * import type { SpawnRateOptions } from "./spawn_rate.ts";
 * const strict: SpawnRateOptions = { burst: 100, perSecond: 10 };
 * ```
 */
export interface SpawnRateOptions {
  /**
   * Requests accepted at once from one requester before the rate applies.
   * @default {10000}
   */
  readonly burst?: number;
  /**
   * Requests per second accepted from one requester once its burst is spent.
   * @default {2000}
   */
  readonly perSecond?: number;
}

/** The default burst of spawn requests per requester. */
export const DEFAULT_SPAWN_BURST = 10_000;
/** The default sustained spawn requests per second per requester. */
export const DEFAULT_SPAWN_PER_SECOND = 2_000;
/** Requesters tracked at most; the least recently seen are forgotten first (a full bucket). */
const MAX_REQUESTERS = 10_000;

/** Checked spawn rate settings. */
export interface SpawnRate {
  /** Burst per requester. */
  readonly burst: number;
  /** Refill per second per requester. */
  readonly perSecond: number;
}

/**
 * Checks spawn rate options and fills in the defaults.
 *
 * @throws {InvalidOptionError} When a field is not a positive finite number.
 */
export function resolveSpawnRate(options: SpawnRateOptions | undefined): SpawnRate {
  const burst = options?.burst ?? DEFAULT_SPAWN_BURST;
  const perSecond = options?.perSecond ?? DEFAULT_SPAWN_PER_SECOND;
  if (typeof burst !== "number" || !(burst >= 1) || !isFinite(burst)) {
    throw new InvalidOptionError("cluster.spawnRate.burst", burst, "a finite number >= 1");
  }
  if (typeof perSecond !== "number" || !(perSecond > 0) || !isFinite(perSecond)) {
    throw new InvalidOptionError("cluster.spawnRate.perSecond", perSecond, "a positive number");
  }
  return { burst, perSecond };
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** One token bucket per requesting host. */
export class SpawnRateLimiter {
  readonly rate: SpawnRate;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  /**
   * @param rate The burst and refill per requester.
   * @param clock The host's clock.
   */
  constructor(rate: SpawnRate, clock: Clock) {
    this.rate = rate;
    this.#clock = clock;
  }

  /**
   * Takes one request's token from `requester`'s bucket.
   *
   * @returns `true` when the request may go on, `false` when it is over the rate.
   */
  take(requester: string): boolean {
    const now = this.#clock.now();
    const { burst, perSecond } = this.rate;
    let bucket = this.#buckets.get(requester);
    if (bucket === undefined) {
      bucket = { tokens: burst, atMs: now };
      if (this.#buckets.size >= MAX_REQUESTERS) {
        this.#buckets.delete(this.#buckets.keys().next().value!);
      }
    } else {
      this.#buckets.delete(requester); // re-inserted below: the map is kept in order of use
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.atMs) * perSecond / 1_000);
      bucket.atMs = now;
    }
    this.#buckets.set(requester, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
