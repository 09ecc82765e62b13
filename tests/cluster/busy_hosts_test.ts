/**
 * Hosts that compute are busy, never lost. Each case is one way users keep
 * a host's event loop busy (measured to get healthy hosts declared lost when
 * liveness shared that loop): a handler computing for seconds, work split
 * into self-told steps, an actor telling itself in a tight loop, many large
 * asks at once, three 16 MiB tensors in one batch, a flood of tells to an
 * actor that is gone, an inspection of a host with very many actors. Real nats-server, real agent processes, this
 * process as the driver. After each: no host was declared lost or rejoined
 * as a new epoch, and the actors that worked are the same ones, never restarted.
 */

import assert from "node:assert/strict";
import type { ActorRef, ActorSystem, HostInfo } from "../../mod.ts";
import { type BusyProtocol, ProcBusy, ProcCrowd } from "../_helpers/busy_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";

/** Every host's state change the driver sees, and a check that none was lost. */
function watchHosts(driver: ActorSystem) {
  const epochs = new Map(driver.hosts().map((h) => [h.hostId, h.epoch]));
  const changes: HostInfo[] = [];
  driver.onHostChange((host) => changes.push(host));
  return {
    changes,
    /** Asserts that no host was declared lost, left, or came back as a new epoch. */
    noneLost(): void {
      const gone = changes.filter((h) => h.state === "lost" || h.state === "left");
      assert.deepEqual(gone.map((h) => `${h.hostId} ${h.state}`), [], "no host lost or left");
      for (const host of driver.hosts()) {
        assert.equal(host.epoch, epochs.get(host.hostId), `${host.hostId} kept its epoch`);
      }
    },
  };
}

/** The worker is the same actor, never restarted, and has done `handled` messages at least. */
async function stillTheSame(worker: ActorRef<BusyProtocol>, handled: number): Promise<void> {
  const stats = await worker.stats();
  assert.equal(stats.status, "running");
  assert.equal(stats.restarts, 0, "never restarted");
  const progress = await worker.ask("progress", null, { timeoutMs: 30_000 });
  assert.ok(progress.handled >= handled, `${progress.handled} >= ${handled} handled`);
}

Deno.test("hosts whose actors compute are busy, never declared lost", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "busy",
    agents: [{ hostId: "a1" }, { hostId: "a2" }],
    serverConfig: ["max_payload: 67108864"],
  });
  const driver = await startDriver(cleanup, server, { cluster: "busy", hosts: 3 });
  const hosts = watchHosts(driver);
  const on = (hostId: string) => driver.spawn(ProcBusy, { placement: { kind: "host", hostId } });
  const w1 = await on("a1");
  const w2 = await on("a2");

  await t.step(
    "a handler computing for 3 s: its host is announced busy, and the caller gets its reply",
    async () => {
      let busy: HostInfo | undefined;
      const stop = driver.onHostChange((h) => {
        if (h.hostId === "a1" && h.state === "busy") busy ??= h;
      });
      const reply = await w1.ask("spin", 3_000, { timeoutMs: 30_000 });
      stop();
      assert.equal(reply, 3_000);
      assert.ok(busy !== undefined, "a1 was seen busy while it computed");
      assert.ok(busy.loopLagMs >= 500, `its lag was reported (${busy.loopLagMs} ms)`);
      await waitFor(
        () => driver.hosts().find((h) => h.hostId === "a1")?.state === "alive",
        "a1 alive again",
        15_000,
      );
      hosts.noneLost();
      await stillTheSame(w1, 1);
    },
  );

  await t.step("300 self-told steps of 10 ms each: all done, nobody lost", async () => {
    w2.tell("steps", { left: 300, ms: 10 });
    await waitFor(
      async () => (await w2.ask("progress", null, { timeoutMs: 30_000 })).steps === 300,
      "300 steps",
      60_000,
    );
    hosts.noneLost();
    await stillTheSame(w2, 300);
  });

  await t.step("an actor telling itself 2M times in a tight loop: nobody lost", async () => {
    w1.tell("loop", 2_000_000);
    await waitFor(
      async () => (await w1.ask("progress", null, { timeoutMs: 30_000 })).loops === 2_000_000,
      "2M loop turns",
      120_000,
    );
    hosts.noneLost();
  });

  await t.step(
    "64 concurrent asks of 512 KiB tensors: every reply comes, nobody lost",
    async () => {
      const tensor = new Float32Array(128 * 1024).fill(0.5);
      const replies = await Promise.all(
        Array.from({ length: 64 }, () => w2.ask("sum", tensor, { timeoutMs: 60_000 })),
      );
      assert.deepEqual(new Set(replies), new Set([4]));
      hosts.noneLost();
      await stillTheSame(w2, 300 + 64);
    },
  );

  await t.step("three 16 MiB tensors told at once (one 48 MiB batch): nobody lost", async () => {
    const tensor = new Float32Array(4 * 1024 * 1024).fill(1);
    for (let i = 0; i < 3; i++) w1.tell("take", tensor);
    await waitFor(
      async () =>
        (await w1.ask("progress", null, { timeoutMs: 60_000 })).floats >= 3 * tensor.length,
      "three tensors taken",
      60_000,
    );
    hosts.noneLost();
  });

  await t.step("a million tells to an actor that is gone: nobody lost", async () => {
    const gone = await on("a1");
    await driver.stop(gone);
    for (let i = 0; i < 1_000_000; i++) gone.tell("loop", 1);
    await driver.flush();
    // Both hosts still answer, in order, after the flood.
    await stillTheSame(w1, 2_000_000);
    await stillTheSame(w2, 364);
    hosts.noneLost();
  });

  await t.step("an inspection of a host with 200,000 actors: it answers, nobody lost", async () => {
    const crowd = await driver.spawn(ProcCrowd, { placement: { kind: "host", hostId: "a2" } });
    for (let i = 0; i < 4; i++) await crowd.ask("populate", 50_000, { timeoutMs: 60_000 });
    const inspection = await driver.inspect({ timeoutMs: 60_000 });
    const a2 = inspection.hosts.find((h) => h.hostId === "a2");
    assert.ok((a2?.actorCount ?? 0) > 200_000, `a2 reports its actors (${a2?.actorCount})`);
    hosts.noneLost();
    await stillTheSame(w2, 364);
    // Stopping 200,000 actors takes seconds: done here, not in the agent's shutdown.
    await driver.stop(crowd, { timeoutMs: 120_000 });
  });
});
