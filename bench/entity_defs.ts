/**
 * The entity types of the entity benchmarks, imported by their agents.
 *
 * @module
 */

import { type Ask, defineActor } from "../mod.ts";

/** A persistent entity that echoes (its first message waits for its state load). */
export const KeptEntity = defineActor<{ echo: Ask<number, number> }, { n: number }, string>({
  type: "bench-kept-entity",
  module: import.meta.url,
  entity: { idleMs: Infinity, labels: { bench: "entity" } },
  persistence: { version: 1 },
  init: () => ({ n: 0 }),
  asks: { echo: (s, n) => ({ state: s, reply: n }) },
});

/** An entity without state: cold activations cost only the claim and the spawn. */
export const ColdEntity = defineActor<{ echo: Ask<number, number> }, null, string>({
  type: "bench-cold-entity",
  module: import.meta.url,
  entity: { idleMs: Infinity, labels: { bench: "entity" } },
  init: () => null,
  asks: { echo: (s, n) => ({ state: s, reply: n }) },
});

/** An entity without state for the ask figure: 100k of them stay resident. */
export const ResidentEntity = defineActor<{ echo: Ask<number, number> }, null, string>({
  type: "bench-resident-entity",
  module: import.meta.url,
  entity: { idleMs: Infinity, labels: { bench: "entity" } },
  init: () => null,
  asks: { echo: (s, n) => ({ state: s, reply: n }) },
});
