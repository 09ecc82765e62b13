/**
 * A host agent with worker hosts (`--workers 2`): three hosts in one
 * process, each joined to the NATS servers as a member of its own. Real
 * nats-server, a real agent process, this process as the driver.
 */

import assert from "node:assert/strict";
import { ProcBusy } from "../_helpers/busy_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";

Deno.test("an agent started with --workers 2 brings two worker hosts that take spawns and compute in parallel", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "aw",
    agents: [{ hostId: "box", labels: "gpu=1", extraArgs: ["--workers", "2"] }],
  });
  // The driver, the agent, and its two workers.
  const driver = await startDriver(cleanup, server, { cluster: "aw", hosts: 4 });
  const hosts = driver.hosts().filter((h) => h.hostId !== "driver");
  assert.deepEqual(
    hosts.map((h) => [h.hostId, h.labels.thread, h.labels.gpu]),
    [["box", "main", "1"], ["box-w1", "worker", "1"], ["box-w2", "worker", "1"]],
    "the workers inherit the agent's labels",
  );
  const epochs = new Map(driver.hosts().map((h) => [h.hostId, h.epoch]));
  const workers = await Promise.all(
    [1, 2].map(() =>
      driver.spawn(ProcBusy, { placement: { kind: "spread", labels: { thread: "worker" } } })
    ),
  );
  assert.deepEqual(workers.map((w) => w.id.split("/")[0]).sort(), ["box-w1", "box-w2"]);
  const replies = await Promise.all(
    workers.map((w) => w.ask("spin", 1_500, { timeoutMs: 30_000 })),
  );
  assert.deepEqual(replies, [1_500, 1_500]);
  for (const h of driver.hosts()) {
    assert.ok(h.state === "alive" || h.state === "busy", `${h.hostId} ${h.state}`);
    assert.equal(h.epoch, epochs.get(h.hostId), `${h.hostId} kept its epoch`);
  }
});
