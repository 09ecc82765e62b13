/**
 * Worker hosts joined to NATS with the main host's direct data channel on
 * (docs/moving-data.md, "The direct path"): each listens on a port of its
 * own, and large envelopes between hosts of one process go over direct
 * connections, not through the NATS server.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { workerDirectChannel } from "../../cluster/direct_policy.ts";
import { Bulk, glance, pattern } from "../_helpers/bulk_defs.ts";
import { stopServer } from "../_helpers/nats.ts";
import { within } from "../_helpers/deadline.ts";

const MiB = 1024 * 1024;

Deno.test("a worker host gets the main host's channel on a port of its own, or none", () => {
  assert.deepEqual(workerDirectChannel(undefined), {});
  assert.deepEqual(workerDirectChannel(false), {});
  assert.deepEqual(workerDirectChannel(true), { directChannel: {} });
  assert.deepEqual(
    workerDirectChannel({ hostname: "10.0.0.5", port: 7400, advertise: "gw:7400" }),
    { directChannel: { hostname: "10.0.0.5", port: 0 } },
  );
});

Deno.test("large asks and replies between a main host and its worker host go over direct connections", async () => {
  await using cleanup = new AsyncDisposableStack();
  const server = await startNatsServer({ jetstream: false });
  cleanup.defer(() => stopServer(server));
  const system = await ActorSystem.start({
    hostId: "main",
    workers: 1,
    workerImports: [new URL("../_helpers/bulk_defs.ts", import.meta.url).href],
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    log: { level: "error" },
    cluster: { name: "wdirect", servers: server.url, directChannel: true },
  });
  cleanup.defer(() => system.shutdown({ timeoutMs: 5_000 }));
  const bulk = await system.spawn(Bulk, { placement: { kind: "host", hostId: "main-w1" } });

  const big = pattern(8 * MiB / 4);
  const seen = await within(bulk.ask("see", big, { timeoutMs: 60_000 }), 90_000, "see");
  assert.deepEqual(seen, glance(big));
  const made = await within(bulk.ask("make", 8 * MiB / 4, { timeoutMs: 60_000 }), 90_000, "make");
  assert.deepEqual(glance(made), glance(pattern(8 * MiB / 4)));

  const direct = system.transportStats()?.direct;
  assert.ok(direct !== undefined, "the main host's channel is on");
  assert.ok(direct.bytesSent >= 8 * MiB, `sent directly: ${direct.bytesSent}`);
  assert.ok(direct.bytesReceived >= 8 * MiB, `received directly: ${direct.bytesReceived}`);
  assert.equal(direct.opened, 1);
  assert.equal(direct.accepted, 1);
});
