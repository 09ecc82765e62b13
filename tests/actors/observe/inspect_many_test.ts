/**
 * `system.inspect()` of a host with very many actors leaves the event loop
 * free: timers fire while it runs, alone and in a cluster, and it still
 * lists the actors.
 */

import assert from "node:assert/strict";
import { type ActorSystem, defineActor, type Tell } from "../../../mod.ts";
import { withSystem } from "../../_helpers/system.ts";
import { startMemoryCluster } from "../../_helpers/cluster.ts";
import { ticksDuring } from "../../_helpers/loop_ticks.ts";

const Idle = defineActor<{ poke: Tell<number> }, number>({
  type: "idle",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

const MANY = 200_000;

/** Spawns in chunks, so that the host's own heartbeats keep going meanwhile. */
async function spawnMany(system: ActorSystem): Promise<void> {
  for (let i = 0; i < MANY; i++) {
    system.spawn(Idle);
    if (i % 5_000 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

Deno.test("inspect of a host with 200,000 actors lists the first 1,000 and counts them all", async () => {
  await withSystem(async (system) => {
    await spawnMany(system);
    const inspection = await system.inspect();
    assert.equal(inspection.actors.length, 1_000);
    assert.deepEqual(
      inspection.summaries.map((s) => [s.type, s.count, s.statuses.running]),
      [["idle", MANY, MANY]],
    );
    assert.equal(
      inspection.hosts[0].problem,
      `lists 1000 of its ${MANY} actors (page through all with system.inspectActors() or ctl actors)`,
    );
    assert.equal((await system.inspect({ actorsPerHost: 0 })).hosts[0].problem, undefined);
  });
});

Deno.test("inspect of a host with 200,000 actors lets timers fire while it runs, and lists them all when asked", async () => {
  await withSystem(async (system) => {
    await spawnMany(system);
    const seen = await ticksDuring(() => system.inspect({ actorsPerHost: Infinity }));
    assert.ok(seen.ticks >= 2, `${seen.ticks} ticks in ${seen.elapsedMs} ms`);
    const inspection = seen.result;
    assert.equal(inspection.hosts[0].actorCount, MANY);
    assert.equal(inspection.actors.length, MANY);
    assert.equal(inspection.tree.length, MANY);
    assert.ok(inspection.actors.every((a) => a.type === "idle" && a.hostId === system.hostId));
  });
});

Deno.test("a host with 200,000 actors answers a cluster inspection in slices, listing those that fit", async () => {
  const cluster = await startMemoryCluster([{}, {}], { name: "many" });
  try {
    const [big, asker] = cluster.hosts;
    await spawnMany(big);
    const seen = await ticksDuring(() =>
      asker.inspect({ timeoutMs: 60_000, actorsPerHost: Infinity })
    );
    assert.ok(seen.ticks >= 2, `${seen.ticks} ticks in ${seen.elapsedMs} ms`);
    const report = seen.result.hosts.find((h) => h.hostId === big.hostId)!;
    assert.equal(report.state, "alive");
    assert.equal(report.actorCount, MANY);
    const listed = seen.result.actors.filter((a) => a.hostId === big.hostId).length;
    assert.ok(listed > 0 && listed <= MANY);
    if (listed < MANY) {
      assert.equal(
        report.problem,
        `only ${listed} of its ${MANY} actors are listed (the answer must fit one message)`,
      );
    }
    const firstPage = await asker.inspect({ timeoutMs: 60_000 });
    assert.equal(firstPage.actors.filter((a) => a.hostId === big.hostId).length, 1_000);
    assert.deepEqual(
      firstPage.summaries.map((s) => [s.hostId, s.count]),
      [[big.hostId, MANY]],
    );
    const own = await ticksDuring(() => big.inspect({ scope: "host", actorsPerHost: Infinity }));
    assert.ok(own.ticks >= 2, `${own.ticks} ticks in ${own.elapsedMs} ms`);
    assert.equal(own.result.actors.length, MANY);
  } finally {
    await cluster.shutdown();
  }
});
