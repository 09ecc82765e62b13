/**
 * Inspection with real processes: a host that is frozen (SIGSTOP) but not yet
 * declared lost is reported as not answering within the timeout.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { ProcCounter } from "../_helpers/cluster_defs.ts";
import { startAgents } from "../_helpers/agents.ts";
import { waitFor } from "../_helpers/system.ts";
import { stopServer } from "../_helpers/nats.ts";

Deno.test({
  name: "inspect on three hosts, one frozen: it is reported as not answering within the timeout",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const server = await startNatsServer({ jetstream: false });
    cleanup.defer(() => stopServer(server));
    // A long suspicion timeout, so that the frozen host stays in the view as alive.
    const slow = ["--suspicion-ms", "20000"];
    const agents = await startAgents(
      ["i1", "i2"].map((id) => ({ url: server.url, cluster: "insp", hostId: id, extraArgs: slow })),
    );
    cleanup.defer(async () => {
      for (const agent of agents) await agent.stop();
    });
    const driver = await ActorSystem.start({
      hostId: "driver",
      deadLetters: { logPerSecond: 0 },
      cluster: { name: "insp", servers: server.url, suspicionTimeoutMs: 20_000 },
    });
    cleanup.defer(() => driver.shutdown());
    await waitFor(() => driver.hosts().length === 3, "three hosts", 20_000);
    for (const hostId of ["i1", "i1", "i2"]) {
      await driver.spawn(ProcCounter, { placement: { kind: "host", hostId } });
    }
    const all = await driver.inspect({ timeoutMs: 2_000 });
    assert.deepEqual(all.hosts.map((h) => [h.hostId, h.state, h.actorCount]), [
      ["driver", "alive", 0],
      ["i1", "alive", 2],
      ["i2", "alive", 1],
    ]);
    assert.equal(all.actors.length, 3);

    agents[0].process.kill("SIGSTOP");
    const frozen = await driver.inspect({ timeoutMs: 500 })
      .finally(() => agents[0].process.kill("SIGCONT"));
    const i1 = frozen.hosts.find((h) => h.hostId === "i1")!;
    assert.equal(i1.state, "not-answering");
    assert.equal(i1.problem, "did not answer within 500 ms");
    assert.equal(frozen.hosts.find((h) => h.hostId === "i2")?.actorCount, 1);
    assert.deepEqual(frozen.actors.map((a) => a.hostId), ["i2"]);
  },
});
