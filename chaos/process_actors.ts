/**
 * Actors of the process scenarios: host agents import this module.
 *
 * @module
 */

import { type Ask, defineActor, type Tell } from "../mod.ts";

/** A persistent counter: `addAndGet` answers only once the new value is stored. */
export const ChaosCounter = defineActor<
  { addAndGet: Ask<number, number>; get: Ask<void, number> },
  { count: number }
>({
  type: "chaos-counter",
  module: import.meta.url,
  init: () => ({ count: 0 }),
  persistence: { version: 1 },
  tells: {},
  asks: {
    addAndGet: (s, n) => ({ state: { count: s.count + n }, reply: s.count + n }),
    get: (s) => ({ state: s, reply: s.count }),
  },
});

/** Takes 10 ms per message (a slow consumer of work). */
export const ChaosSlow = defineActor<{ work: Tell<number>; done: Ask<void, number> }, number>({
  type: "chaos-slow",
  module: import.meta.url,
  init: () => 0,
  tells: {
    work: async (n) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return n + 1;
    },
  },
  asks: { done: (n) => ({ state: n, reply: n }) },
});

/** Answers at once (its latency is the baseline next to a slow actor). */
export const ChaosQuick = defineActor<{ ping: Ask<void, number>; poke: Tell }, number>({
  type: "chaos-quick",
  module: import.meta.url,
  init: () => 0,
  tells: { poke: (n) => n + 1 },
  asks: { ping: (n) => ({ state: n + 1, reply: n + 1 }) },
});

/** What a {@linkcode ChaosEntity} answers: the sequence number it handled before, and who it is. */
export interface ChaosEntityReply {
  /** The sequence number of the message this entity handled before this one (0: none). */
  readonly last: number;
  /** The id of the activation that handled it (host and incarnation). */
  readonly activation: string;
}

/**
 * A persistent entity that remembers the last sequence number it handled,
 * across activations and moves: its replies show the order in which its
 * messages were handled, and which activation handled each.
 */
export const ChaosEntity = defineActor<
  { put: Ask<number, ChaosEntityReply> },
  { last: number },
  string
>({
  type: "chaos-entity",
  module: import.meta.url,
  entity: { idleMs: 600_000, labels: { worker: "1" } },
  persistence: { version: 1 },
  init: () => ({ last: 0 }),
  asks: {
    put: (s, seq, ctx) => ({
      state: { last: seq },
      reply: { last: s.last, activation: ctx.self.id },
    }),
  },
});
