/**
 * Actors used by the remote benchmarks (imported by the agents).
 *
 * @module
 */

import { type Ask, defineActor, type Tell } from "../mod.ts";
import type { ObjectRef } from "../types.ts";

/** Counts tells; answers asks at once. */
export const Sink = defineActor<
  { hit: Tell<number>; count: Ask<void, number>; echo: Ask<number, number> },
  number
>({
  type: "bench-sink",
  module: import.meta.url,
  init: () => 0,
  tells: { hit: (n) => n + 1 },
  asks: {
    count: (n) => ({ state: n, reply: n }),
    echo: (n, x) => ({ state: n, reply: x }),
  },
});

/** A tiny actor for spawn-rate measurements. */
export const Tiny = defineActor<{ ping: Ask<void, number> }, number>({
  type: "bench-tiny",
  module: import.meta.url,
  init: () => 0,
  asks: { ping: (n) => ({ state: n, reply: n }) },
});

/** Sends a steady stream of tells to peers on other hosts (load for the soak). */
export const Pinger = defineActor<
  {
    start: Ask<
      { peers: import("../mod.ts").ActorRef<{ ping: Tell<number> }>[]; perTick: number },
      void
    >;
    tick: Tell;
    halt: Tell;
    ping: Tell<number>;
    received: Ask<void, number>;
  },
  {
    peers: import("../mod.ts").ActorRef<{ ping: Tell<number> }>[];
    perTick: number;
    received: number;
    sent: number;
  }
>({
  type: "bench-pinger",
  module: import.meta.url,
  init: () => ({ peers: [], perTick: 0, received: 0, sent: 0 }),
  tells: {
    tick: (s) => {
      for (let i = 0; i < s.perTick; i++) s.peers[(s.sent + i) % s.peers.length].tell("ping", i);
      return { ...s, sent: s.sent + s.perTick };
    },
    ping: (s) => ({ ...s, received: s.received + 1 }),
    halt: (s, _, ctx) => {
      ctx.timers.cancel("tick");
      return s;
    },
  },
  asks: {
    start: (s, { peers, perTick }, ctx) => {
      ctx.timers.every("tick", 10, "tick");
      return { state: { ...s, peers, perTick }, reply: undefined };
    },
    received: (s) => ({ state: s, reply: s.received }),
  },
});

/** A persistent counter (state in the store the hosts share). */
export const BenchPCounter = defineActor<
  { addAndGet: Ask<number, number>; get: Ask<void, number> },
  { count: number }
>({
  type: "bench-pcounter",
  module: import.meta.url,
  init: () => ({ count: 0 }),
  persistence: { version: 1 },
  asks: {
    addAndGet: (s, n) => ({ state: { count: s.count + n }, reply: s.count + n }),
    // A read: no state write, so checking that thousands serve again writes nothing.
    get: (s) => ({ state: s, reply: s.count }),
  },
});

/**
 * Computes in its handlers the way a training step does: each `grind` runs
 * the CPU for 0.5 to 5 s at random without yielding, then tells itself the
 * next, until `halt`. Answers how many it ran and the longest, in ms.
 */
export const Grinder = defineActor<
  { grind: Tell<void>; halt: Tell<void>; done: Ask<void, { runs: number; longestMs: number }> },
  { runs: number; longestMs: number; halted: boolean }
>({
  type: "bench-grinder",
  module: import.meta.url,
  init: () => ({ runs: 0, longestMs: 0, halted: false }),
  tells: {
    grind: (s, _, ctx) => {
      if (s.halted) return s;
      const ms = 500 + Math.random() * 4_500;
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // A synchronous training step.
      }
      ctx.self.tell("grind", undefined);
      return { ...s, runs: s.runs + 1, longestMs: Math.max(s.longestMs, Math.round(ms)) };
    },
    halt: (s) => ({ ...s, halted: true }),
  },
  asks: { done: (s) => ({ state: s, reply: { runs: s.runs, longestMs: s.longestMs } }) },
});

/** Reads what it is sent: an object ref (fetched from its holder) or the array itself. */
export const BulkReader = defineActor<
  { read: Ask<ObjectRef<Float32Array>, number>; take: Ask<Float32Array, number> },
  null
>({
  type: "bench-bulk-reader",
  module: import.meta.url,
  init: () => null,
  asks: {
    read: async (s, obj) => ({ state: s, reply: (await obj.get()).length }),
    take: (s, array) => ({ state: s, reply: array.length }),
  },
});

/** Takes large typed arrays: counts their elements (the bulk benchmarks). */
export const BulkSink = defineActor<
  { take: Tell<Float32Array>; see: Ask<Float32Array, number>; taken: Ask<void, number> },
  number
>({
  type: "bench-bulk",
  module: import.meta.url,
  init: () => 0,
  tells: { take: (n, t) => n + t.length },
  asks: {
    see: (n, t) => ({ state: n, reply: t.length }),
    taken: (n) => ({ state: n, reply: n }),
  },
});
