/**
 * Inspection with real processes: a host that is frozen (SIGSTOP) but not yet
 * declared lost is reported as not answering within the timeout.
 */

import assert from "node:assert/strict";
import { ProcCounter } from "../_helpers/cluster_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";

Deno.test({
  name: "inspect on three hosts, one frozen: it is reported as not answering within the timeout",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    // A long suspicion timeout, so that the frozen host stays in the view as alive.
    const slow = ["--suspicion-ms", "20000"];
    const { server, agents } = await startServerAndAgents(cleanup, {
      cluster: "insp",
      agents: ["i1", "i2"].map((hostId) => ({ hostId, extraArgs: slow })),
    });
    const driver = await startDriver(cleanup, server, {
      cluster: "insp",
      hosts: 3,
      join: { suspicionTimeoutMs: 20_000 },
    });
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
