/**
 * Actors used by the remote benchmarks (imported by the agents).
 *
 * @module
 */

import { type Ask, defineActor, type Tell } from "../mod.ts";

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
