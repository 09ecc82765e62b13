/**
 * Claiming ahead: after a type's first activations, each host holds the
 * shards it owns, so first messages to new keys wait for no store round trip.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor, MemoryStore } from "../../../mod.ts";
import type { StateStore } from "../../../store/store.ts";
import { SHARDS_PER_TYPE } from "../../../actors/internal.ts";
import { startMemoryCluster } from "../../_helpers/cluster.ts";
import { waitFor } from "../../_helpers/system.ts";

/** An entity without state: its activations touch the store only for claims. */
const Ahead = defineActor<{ echo: Ask<number, number> }, null, string>({
  type: "claim-ahead-echo",
  entity: {},
  init: () => null,
  asks: { echo: (s, n) => ({ state: s, reply: n }) },
});

/** A memory store that counts every read and write. */
function countingStore(): { store: StateStore; calls: () => number; puts: () => number } {
  let calls = 0;
  let puts = 0;
  const inner = new MemoryStore();
  const store = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property === "get" || property === "put" || property === "delete") calls++;
        if (property === "put") puts++;
        return value.apply(target, args);
      };
    },
  });
  return { store, calls: () => calls, puts: () => puts };
}

Deno.test("after a type's first activations, first messages to 300 new keys cost no store round trip", async () => {
  const { store, calls, puts } = countingStore();
  const cluster = await startMemoryCluster([{}, {}, {}], { system: { store } });
  try {
    const [from] = cluster.hosts;
    // A few keys reach every host: each then claims the rest of the shards it owns.
    for (let i = 0; i < 30; i++) {
      assert.equal(await from.entity(Ahead, `warm${i}`).ask("echo", i), i);
    }
    await waitFor(() => puts() === SHARDS_PER_TYPE, "every shard claimed by its owner", 30_000);
    const before = calls();
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, i) => from.entity(Ahead, `new${i}`).ask("echo", i)),
    );
    assert.deepEqual(replies, Array.from({ length: 300 }, (_, i) => i));
    assert.equal(calls(), before);
  } finally {
    await cluster.shutdown();
  }
});
