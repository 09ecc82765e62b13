/**
 * A host whose loop stalls past its hang limit is fenced on purpose: its
 * liveness worker declares it lost (so that its actors can move), and when
 * the loop comes back its actors stop with a record naming the stall and
 * the host rejoins as a new epoch. Real nats-server, real agent processes.
 */

import assert from "node:assert/strict";
import { HostUnreachableError } from "../../mod.ts";
import { ProcBusy } from "../_helpers/busy_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";

Deno.test("a host stalled past its hang limit is declared lost, and its actors' records say why", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "hung",
    agents: [{ hostId: "stuck", extraArgs: ["--hang-limit-ms", "2000"] }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "hung", hosts: 2 });
  const epoch = driver.hosts().find((h) => h.hostId === "stuck")!.epoch;
  const worker = await driver.spawn(ProcBusy, { placement: { kind: "host", hostId: "stuck" } });
  const stopped = driver.whenStopped(worker);

  // 8 s of computing in one turn, four times the hang limit.
  const answer = worker.ask("spin", 8_000, { timeoutMs: 60_000 }).then(
    () => "replied",
    (err: Error) => err,
  );
  const outcome = await within(answer, 30_000, "the ask's outcome");
  assert.ok(HostUnreachableError.is(outcome), `the ask failed as unreachable: ${outcome}`);
  assert.equal((await within(stopped, 15_000, "the record"))?.kind, "host-lost");

  // Its loop came back: it rejoined as a new epoch...
  await waitFor(
    () => {
      const host = driver.hosts().find((h) => h.hostId === "stuck");
      return host?.state === "alive" && host.epoch > epoch;
    },
    "the host back as a new epoch",
    30_000,
  );
  // ... and its own record of the actor names the stall.
  const inspection = await driver.inspect();
  const record = inspection.deaths.find((d) => d.actor.id === worker.id && d.hostId === "stuck");
  assert.equal(record?.kind, "host-lost");
  assert.equal(record?.error?.name, "HostHungError");
  assert.match(record?.error?.message ?? "", /stalled for \d+ ms, past the hang limit of 2000 ms/);
});

Deno.test("back-to-back long turns, longer together than the hang limit, do not make a host hung", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "turns",
    agents: [{ hostId: "grinder", extraArgs: ["--hang-limit-ms", "2500"] }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "turns", hosts: 2 });
  const epoch = driver.hosts().find((h) => h.hostId === "grinder")!.epoch;
  const worker = await driver.spawn(ProcBusy, { placement: { kind: "host", hostId: "grinder" } });
  // Eight turns of 800 ms queued at once: 6.4 s in a row, each one well under
  // the limit. The liveness side asks the dispatcher to yield between them.
  const replies = await within(
    Promise.all(
      Array.from({ length: 8 }, () => worker.ask("spin", 800, { timeoutMs: 60_000 })),
    ),
    45_000,
    "the eight replies",
  );
  assert.deepEqual(replies, Array(8).fill(800));
  const host = driver.hosts().find((h) => h.hostId === "grinder")!;
  assert.equal(host.epoch, epoch, "the host kept its epoch (never fenced)");
  const stats = await worker.stats();
  assert.equal(stats.restarts, 0);
  assert.equal(stats.status, "running");
});
