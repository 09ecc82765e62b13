/**
 * Cluster-wide names and graceful shutdown with real processes.
 */

import assert from "node:assert/strict";
import { ActorSystem, childSpec, defineSupervisor, JetStreamStore } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { ProcCounter, ProcRegistrar } from "../_helpers/cluster_defs.ts";
import { startAgents } from "../_helpers/agents.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import { stopServer } from "../_helpers/nats.ts";

Deno.test({
  name: "3 hosts x 50 racing registrations of the same cluster name: exactly one winner each round",
  fn: async () => {
    // Whatever started is stopped, in reverse order, however the test ends.
    await using cleanup = new AsyncDisposableStack();
    const { server } = await startServerAndAgents(cleanup, {
      cluster: "names",
      jetstream: true,
      agents: ["r1", "r2", "r3"].map((hostId) => ({
        hostId,
        extraArgs: ["--state-bucket", "dir"],
      })),
    });
    const store = await JetStreamStore.open({ servers: server.url, bucket: "dir" });
    cleanup.defer(() => store.close());
    const driver = await startDriver(cleanup, server, {
      cluster: "names",
      hosts: 4,
      system: { store },
    });
    const registrars = await Promise.all(
      ["r1", "r2", "r3"].map((hostId) =>
        driver.spawn(ProcRegistrar, { placement: { kind: "host", hostId } })
      ),
    );
    for (let round = 0; round < 50; round++) {
      const name = `leader-${round}`;
      const claims = await Promise.all(
        registrars.map((r) => r.ask("claim", name, { timeoutMs: 10_000 })),
      );
      assert.equal(claims.filter((won) => won).length, 1, `round ${round}: ${claims}`);
      const holder = await driver.whereIs(name);
      assert.equal(holder?.id, registrars[claims.indexOf(true)].id);
    }
  },
});

Deno.test({
  name:
    "graceful SIGTERM of a host: its permanent children are re-placed and the records say shutdown",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const server = await startNatsServer({ jetstream: false });
    cleanup.defer(() => stopServer(server));
    const agents = await startAgents(
      ["g1", "g2"].map((id) => ({
        url: server.url,
        cluster: "grace",
        hostId: id,
        labels: "worker=1",
      })),
    );
    cleanup.defer(async () => {
      for (const agent of agents) await agent.stop();
    });
    const driver = await ActorSystem.start({
      hostId: "driver",
      deadLetters: { logPerSecond: 0 },
      cluster: { name: "grace", servers: server.url },
    });
    cleanup.defer(() => driver.shutdown());
    await waitFor(() => driver.hosts().length === 3, "three hosts", 20_000);
    const Sup = defineSupervisor({
      type: "grace-sup",
      children: Array.from(
        { length: 6 },
        (_, i) =>
          childSpec(ProcCounter, {
            id: `c${i}`,
            placement: { kind: "spread", labels: { worker: "1" } },
          }),
      ),
    });
    const sup = driver.spawn(Sup);
    const before = await sup.ask("which", undefined, { timeoutMs: 10_000 });
    const onG1 = before.filter((c) => c.hostId === "g1").map((c) => c.id);
    assert.ok(onG1.length > 0);
    const status = await agents[0].stop();
    assert.equal(status.code, 0, "the agent shut down cleanly");
    let after = before;
    for (let i = 0; i < 100 && !after.every((c) => c.hostId === "g2"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await sup.ask("which");
    }
    assert.ok(
      after.every((c) => c.hostId === "g2" && c.status === "remote"),
      JSON.stringify(after),
    );
    const records = driver.deaths.find({ parentId: sup.id });
    const kinds = new Set(records.map((r) => r.kind));
    assert.deepEqual([...kinds], ["shutdown"], "shutdown, not host-lost");
    assert.equal(records.length, onG1.length);
  },
});
