/**
 * Actors of the worker-host benchmarks (`bench/workers.ts`), loaded by the
 * worker hosts from this module's URL.
 *
 * @module
 */

import { type ActorRef, type Ask, defineActor, type Tell, transfer } from "../mod.ts";

/**
 * Iterations of {@linkcode crunch} that take about 50 ms on the benchmark
 * machine (calibrated by hand: 50M took 83 ms); fixed, so that both sides
 * of `workers.speedup` do the same work whatever the machine's speed.
 */
export const CRUNCH_ITERATIONS = 30_000_000;

/** Synchronous compute: an FNV-1a style hash over `iterations` bytes. */
export function crunch(iterations: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < iterations; i++) {
    hash ^= i & 0xff;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** One compute task's outcome: the hash and the handler's own time. */
export interface Crunched {
  readonly hash: number;
  readonly ms: number;
}

/** The compute actor's message: iterations in, outcome out. */
export type CrunchProtocol = { crunch: Ask<number, Crunched> };

/** Runs one compute task per ask, without yielding. */
export const Cruncher = defineActor<CrunchProtocol, null>({
  type: "bench-cruncher",
  module: import.meta.url,
  init: () => null,
  asks: {
    crunch: (s, iterations) => {
      const started = performance.now();
      const hash = crunch(iterations);
      return { state: s, reply: { hash, ms: performance.now() - started } };
    },
  },
});

/** The counting end of `workers.tell`. */
export type CountProtocol = { hit: Tell<number>; count: Ask<void, number> };

/** Counts tells. */
export const Counter = defineActor<CountProtocol, number>({
  type: "bench-worker-counter",
  module: import.meta.url,
  init: () => 0,
  tells: { hit: (n) => n + 1 },
  asks: { count: (n) => ({ state: n, reply: n }) },
});

/** Tells sent between event-loop turns, as `remote.tell` sends them. */
const CHUNK = 8_192;

/**
 * The sending end of `workers.tell`: tells `count` numbers to `peer` in
 * chunks of 8192 between event-loop turns, then asks it for its count
 * (after the tells: one sender's messages keep their order) and answers it.
 */
export const Blaster = defineActor<
  { blast: Ask<{ peer: ActorRef<CountProtocol>; count: number }, number> },
  null
>({
  type: "bench-blaster",
  module: import.meta.url,
  init: () => null,
  asks: {
    blast: async (s, { peer, count }) => {
      for (let i = 0; i < count; i++) {
        peer.tell("hit", i);
        if (i % CHUNK === CHUNK - 1) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      return { state: s, reply: await peer.ask("count", undefined, { timeoutMs: 120_000 }) };
    },
  },
});

/** The receiving end of `workers.transfer`. */
export type TakeProtocol = { take: Tell<Float32Array>; last: Ask<void, number> };

/** Reads one element of each array it takes; answers the last one read. */
export const Taker = defineActor<TakeProtocol, number>({
  type: "bench-taker",
  module: import.meta.url,
  init: () => -1,
  tells: { take: (_, array) => array[array.length - 1] },
  asks: { last: (n) => ({ state: n, reply: n }) },
});

/**
 * The sending end of `workers.transfer`: each round allocates a fresh array
 * of `floats`, fills it with the round's number, gives it up to `peer` (a
 * `transfer`: moved, not copied) and waits for `peer`'s acknowledgement (an
 * ask after the tell: it answers once the array was read), which must be
 * that number.
 */
export const Mover = defineActor<
  { move: Ask<{ peer: ActorRef<TakeProtocol>; rounds: number; floats: number }, number> },
  null
>({
  type: "bench-mover",
  module: import.meta.url,
  init: () => null,
  asks: {
    move: async (s, { peer, rounds, floats }) => {
      for (let i = 0; i < rounds; i++) {
        const array = new Float32Array(floats);
        array.fill(i);
        peer.tell("take", transfer(array));
        const read = await peer.ask("last", undefined, { timeoutMs: 60_000 });
        if (read !== i) throw new Error(`round ${i}: the taker read ${read}`);
        // Given up and sent to another thread: the memory moved, this view is detached.
        if (array.byteLength !== 0) throw new Error(`round ${i}: the array was copied, not moved`);
      }
      return { state: s, reply: rounds };
    },
  },
});
