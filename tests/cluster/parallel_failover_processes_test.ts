/**
 * Failover of many persistent children under one supervisor, with real
 * processes and JetStream state: after a `kill -9` of the host holding a
 * third of them, every one serves again from another host with its saved
 * state, each restarted once. No timing is asserted (the benchmark
 * `failover.serving_1000_ms` measures it).
 */

import assert from "node:assert/strict";
import { childSpec, defineSupervisor, JetStreamStore } from "../../mod.ts";
import { ProcPCounter } from "../_helpers/cluster_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";

Deno.test({
  name:
    "300 persistent children of one supervisor all serve again after kill -9 of a host, each restarted once",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const count = 300;
    const { server, agents } = await startServerAndAgents(cleanup, {
      cluster: "pfo",
      jetstream: true,
      agents: ["p1", "p2", "p3"].map((hostId) => ({
        hostId,
        labels: "pool=1",
        extraArgs: ["--state-bucket", "pfo"],
      })),
    });
    const store = await JetStreamStore.open({ servers: server.url, bucket: "pfo" });
    cleanup.defer(() => store.close());
    const driver = await startDriver(cleanup, server, {
      cluster: "pfo",
      hosts: 4,
      system: { store },
    });
    const Sup = defineSupervisor({
      type: "pfo-sup",
      strategy: { kind: "one_for_one", maxRestarts: 3, withinMs: 60_000 },
      children: Array.from({ length: count }, (_, i) =>
        childSpec(ProcPCounter, {
          id: `c${i}`,
          name: `pfo-${i}`,
          placement: { kind: "spread", labels: { pool: "1" } },
        })),
    });
    const sup = driver.spawn(Sup);
    const which = () => sup.ask("which", undefined, { timeoutMs: 120_000 });
    const refOf = (child: Awaited<ReturnType<typeof which>>[number]) =>
      driver.resolveRef(child.ref!.toJSON(), ProcPCounter);
    const before = await which();
    await Promise.all(before.map((c) => refOf(c).ask("addAndGet", 1, { timeoutMs: 60_000 })));
    const victim = agents[0];
    const onVictim = new Set(before.filter((c) => c.hostId === victim.hostId).map((c) => c.id));
    assert.ok(onVictim.size >= 50, `spread put ${onVictim.size} children on ${victim.hostId}`);

    await victim.kill();
    let after = await which();
    await waitFor(
      async () => {
        after = await which();
        return after.every((c) => c.ref !== undefined && c.hostId !== victim.hostId);
      },
      "every child on a live host",
      120_000,
    );

    const values = await Promise.all(
      after.map((c) => refOf(c).ask("get", undefined, { timeoutMs: 60_000 })),
    );
    assert.deepEqual(values.filter((v) => v !== 1), [], "every child kept its saved state");
    for (const child of after) {
      assert.equal(child.restarts, onVictim.has(child.id) ? 1 : 0, `${child.id} restarts`);
    }
    assert.equal(sup.stats().status, "running", "one lost host is one restart for the intensity");
  },
});
