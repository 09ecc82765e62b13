/**
 * A small supervised pool for the dashboard test: a supervisor with two
 * shard workers, so the page has a tree to show.
 *
 * @module
 */

import { childSpec, defineActor, defineSupervisor, type Tell } from "../../mod.ts";

/** A shard: counts its batches, and fails on a poisoned one. */
export const Shard = defineActor<{ batch: Tell<number>; poison: Tell<string> }, number>({
  type: "shard",
  module: import.meta.url,
  init: () => 0,
  tells: {
    batch: (n) => n + 1,
    poison: (_, why) => {
      throw new Error(why);
    },
  },
});

/** Two shards under one_for_one. */
export const ShardPool = defineSupervisor<void>({
  type: "shard-pool",
  module: import.meta.url,
  strategy: { kind: "one_for_one", maxRestarts: 5, withinMs: 60_000 },
  children: () => [
    childSpec(Shard, { id: "shard-0", name: "shard-0" }),
    childSpec(Shard, { id: "shard-1", name: "shard-1" }),
  ],
});
