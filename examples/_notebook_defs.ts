/**
 * A definition for the notebook's worker hosts: a worker host loads the
 * definitions it runs from their module (`module: import.meta.url`), and a
 * notebook cell has no module of its own.
 *
 * @module
 */

import { type Ask, defineActor } from "../mod.ts";

/** Where a computation ran, and what it found. */
export interface SumReport {
  /** The host that ran it. */
  readonly hostId: string;
  /** Whether it ran on a Deno Worker (a worker host) rather than the main thread. */
  readonly onWorker: boolean;
  /** The sum of the squares of 1 .. n, modulo 1,000,003. */
  readonly sum: number;
}

/** Sums squares synchronously (a stand-in for real compute) and says where it ran. */
export const Squares = defineActor<{ sum: Ask<number, SumReport> }, null>({
  type: "notebook-squares",
  module: import.meta.url,
  init: () => null,
  asks: {
    sum: (state, n, ctx) => {
      let sum = 0;
      for (let i = 1; i <= n; i++) sum = (sum + i * i) % 1_000_003;
      const onWorker = "WorkerGlobalScope" in globalThis;
      return { state, reply: { hostId: ctx.self.id.split("/")[0], onWorker, sum } };
    },
  },
});
