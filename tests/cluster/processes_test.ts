/**
 * A real cluster: one nats-server started for this file, three host agent
 * processes with different labels, and this test process as a fourth host.
 */

import assert from "node:assert/strict";
import { ActorSystem, HostUnreachableError, startNatsServer, TestProbe } from "../../mod.ts";
import {
  ProcCounter,
  ProcEcho,
  ProcRecorder,
  ProcRelay,
  ProcSender,
} from "../_helpers/cluster_defs.ts";
import { type Agent, startAgent } from "../_helpers/agents.ts";
import { waitFor } from "../_helpers/system.ts";

const server = await startNatsServer({ jetstream: false });
const agents: Agent[] = await Promise.all([
  startAgent({ url: server.url, cluster: "proc", hostId: "gpu-a", labels: "gpu=1,zone=a" }),
  startAgent({ url: server.url, cluster: "proc", hostId: "cpu-a", labels: "gpu=0,zone=a" }),
  startAgent({ url: server.url, cluster: "proc", hostId: "gpu-b", labels: "gpu=1,zone=b" }),
]);
const driver = await ActorSystem.start({
  hostId: "driver",
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
  cluster: { name: "proc", servers: server.url, labels: { role: "driver" } },
});
await waitFor(
  () => driver.hosts().filter((h) => h.state === "alive").length === 4,
  "four hosts",
  20_000,
);

const opts = { sanitizeOps: false, sanitizeResources: false };
const hostOf = (id: string) => id.split("/")[0];

Deno.test({
  ...opts,
  name: "the driver sees the three agents with their labels",
  fn: () => {
    const seen = Object.fromEntries(driver.hosts().map((h) => [h.hostId, h.labels]));
    assert.deepEqual(seen, {
      "cpu-a": { gpu: "0", zone: "a" },
      driver: { role: "driver" },
      "gpu-a": { gpu: "1", zone: "a" },
      "gpu-b": { gpu: "1", zone: "b" },
    });
  },
});

Deno.test({
  ...opts,
  name: "remote spawn works for every placement kind, and each actor answers from its host",
  fn: async () => {
    const local = await driver.spawn(ProcCounter, { placement: { kind: "local" } });
    assert.equal(hostOf(local.id), "driver");
    const onHost = await driver.spawn(ProcCounter, {
      placement: { kind: "host", hostId: "cpu-a" },
    });
    assert.equal(await onHost.ask("where"), "cpu-a");
    const byLabels = [];
    for (let i = 0; i < 4; i++) {
      byLabels.push(
        await driver.spawn(ProcCounter, { placement: { kind: "spread", labels: { gpu: "1" } } }),
      );
    }
    assert.deepEqual(byLabels.map((r) => hostOf(r.id)).sort(), [
      "gpu-a",
      "gpu-a",
      "gpu-b",
      "gpu-b",
    ]);
    const inZoneB = await driver.spawn(ProcCounter, {
      placement: { kind: "least-loaded", labels: { zone: "b" } },
    });
    assert.equal(await inZoneB.ask("where"), "gpu-b");
    const hashed = await driver.spawn(ProcCounter, {
      placement: { kind: "hash", key: "shard-3", labels: { zone: "a" } },
    });
    const again = await driver.spawn(ProcCounter, {
      placement: { kind: "hash", key: "shard-3", labels: { zone: "a" } },
    });
    assert.equal(hostOf(hashed.id), hostOf(again.id));
    assert.ok(["gpu-a", "cpu-a"].includes(hostOf(hashed.id)));
    onHost.tell("add", 2);
    assert.equal(await onHost.ask("get"), 2);
    await assert.rejects(
      driver.spawn(ProcCounter, { placement: { kind: "spread", labels: { gpu: "2" } } }),
      (err: Error) =>
        err.name === "PlacementError" && /gpu-a: label gpu=2 wanted, has gpu=1/.test(err.message),
    );
  },
});

Deno.test({
  ...opts,
  name: "messages between hosts stay in order per sender under load",
  fn: async () => {
    const recorder = await driver.spawn(ProcRecorder, {
      placement: { kind: "host", hostId: "gpu-b" },
    });
    const senders = [
      await driver.spawn(ProcSender, { placement: { kind: "host", hostId: "gpu-a" } }),
      await driver.spawn(ProcSender, { placement: { kind: "host", hostId: "cpu-a" } }),
    ];
    const count = 20_000;
    await Promise.all(senders.map((s) => s.ask("blast", { to: recorder, count })));
    for (let seq = 0; seq < count; seq++) recorder.tell("record", { from: "driver", seq });
    let sequences: Record<string, number[]> = {};
    const started = Date.now();
    while (Date.now() - started < 20_000) {
      sequences = await recorder.ask("sequences", undefined, { timeoutMs: 20_000 });
      if (
        Object.values(sequences).every((s) => s.length === count) &&
        Object.keys(sequences).length === 3
      ) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const expected = Array.from({ length: count }, (_, i) => i);
    assert.equal(Object.keys(sequences).length, 3);
    for (const [from, seqs] of Object.entries(sequences)) {
      assert.deepEqual(seqs, expected, `from ${from}`);
    }
  },
});

Deno.test({
  ...opts,
  name: "refs passed between hosts arrive as working refs",
  fn: async () => {
    const probe = TestProbe.spawn<{ heard: import("../../mod.ts").Tell<string> }>(driver);
    const relay = await driver.spawn(ProcRelay, { placement: { kind: "host", hostId: "gpu-a" } });
    const echo = await driver.spawn(ProcEcho, { placement: { kind: "host", hostId: "cpu-a" } });
    relay.tell("relay", { text: "hello", echo, replyTo: probe.ref });
    const heard = await probe.expectMessage("heard", undefined, { withinMs: 10_000 });
    assert.equal(heard.payload, `hello via ${relay.id} via ${echo.id}`);
  },
});

Deno.test({
  ...opts,
  name:
    "a spawn whose definition cannot be loaded fails with DefinitionLoadError naming the module",
  fn: async () => {
    const { defineActor } = await import("../../mod.ts");
    const Missing = defineActor<{ x: import("../../mod.ts").Tell }, null>({
      type: "only-on-the-driver",
      module: new URL("./no_such_module.ts", import.meta.url).href,
      init: () => null,
      tells: { x: (s) => s },
    });
    await assert.rejects(
      driver.spawn(Missing, { placement: { kind: "host", hostId: "gpu-a" } }),
      (err: Error) =>
        err.name === "DefinitionLoadError" && err.message.includes("no_such_module.ts") &&
        err.message.includes("gpu-a"),
    );
  },
});

Deno.test({
  ...opts,
  name: "a cluster with another name on the same server is invisible",
  fn: async () => {
    const other = await startAgent({ url: server.url, cluster: "other", hostId: "stranger" });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(!driver.hosts().some((h) => h.hostId === "stranger"));
      await assert.rejects(
        driver.spawn(ProcCounter, { placement: { kind: "host", hostId: "stranger" } }),
        (err: Error) => err.name === "PlacementError",
      );
    } finally {
      await other.stop();
    }
  },
});

Deno.test({
  ...opts,
  name: "an ask to a host killed with SIGKILL rejects fast instead of waiting for its timeout",
  fn: async () => {
    const counter = await driver.spawn(ProcCounter, {
      placement: { kind: "host", hostId: "gpu-b" },
    });
    assert.equal(await counter.ask("get"), 0);
    const status = await agents[2].kill();
    assert.equal(status.signal, "SIGKILL");
    // The server drops the dead connection's subscriptions once the socket closes.
    const started = Date.now();
    let err: unknown;
    while (Date.now() - started < 10_000) {
      err = await counter.ask("get", undefined, { timeoutMs: 30_000 }).catch((e) => e);
      if (HostUnreachableError.is(err)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(HostUnreachableError.is(err), String(err));
    assert.ok(Date.now() - started < 10_000);
    const gone = driver.hosts().find((h) => h.hostId === "gpu-b");
    assert.equal(gone?.state, "unreachable");
  },
});

Deno.test({
  ...opts,
  name: "agents shut down gracefully on SIGTERM",
  fn: async () => {
    await driver.shutdown();
    for (const agent of agents.slice(0, 2)) {
      const status = await agent.stop();
      assert.equal(status.code, 0);
    }
    await server.stop();
  },
});
