/**
 * Entities in shards, on hosts joined by an in-memory bus and sharing one
 * store: a host claims a shard once, and every further activation in it
 * costs no store round trip.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor, MemoryStore } from "../../mod.ts";
import { SHARDS_PER_TYPE } from "../../actors/internal.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { CountingStore } from "../_helpers/stores.ts";

/** An entity without state: its activations touch the store only for claims. */
const Echo = defineActor<{ echo: Ask<number, number> }, null, string>({
  type: "shard-test-echo",
  entity: {},
  init: () => null,
  asks: { echo: (s, n) => ({ state: s, reply: n }) },
});

Deno.test("3 hosts activate 2,000 entities with at most one claim per shard, not one per entity", async () => {
  const store = new CountingStore(new MemoryStore());
  const cluster = await startMemoryCluster([{}, {}, {}], { system: { store } });
  try {
    const keys = 2_000;
    const replies = await Promise.all(
      Array.from({ length: keys }, (_, i) => {
        const from = cluster.hosts[i % 3];
        return from.entity(Echo, `k${i}`).ask("echo", i, { timeoutMs: 30_000 });
      }),
    );
    assert.deepEqual(replies, Array.from({ length: keys }, (_, i) => i));
    const resident = cluster.hosts.reduce((n, h) => n + h.actorCount, 0);
    assert.ok(resident >= keys, `every key activated once (${resident} resident)`);
    assert.ok(
      store.puts <= SHARDS_PER_TYPE,
      `${store.puts} claim writes for ${keys} activations (${SHARDS_PER_TYPE} shards)`,
    );
  } finally {
    await cluster.shutdown();
  }
});
