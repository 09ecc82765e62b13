/**
 * A real cluster: one nats-server started for this test, three host agent
 * processes with different labels, and this test process as a fourth host.
 */

import assert from "node:assert/strict";
import { ActorSystem, HostUnreachableError } from "../../mod.ts";
import { TestProbe } from "../../testing.ts";
import {
  ProcCounter,
  ProcEcho,
  ProcRecorder,
  ProcRelay,
  ProcSender,
} from "../_helpers/cluster_defs.ts";
import { startAgent } from "../_helpers/agents.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";

const hostOf = (id: string) => id.split("/")[0];

// One test with a step per case: the cluster is started and stopped inside it, so nothing
// started for one case (timers, sockets, processes) is left running across test boundaries.
Deno.test("a real cluster of three agent processes and this host", async (t) => {
  // Whatever started is stopped, in reverse order, however the test ends.
  await using cleanup = new AsyncDisposableStack();
  const { server, agents } = await startServerAndAgents(cleanup, {
    cluster: "proc",
    agents: [
      { hostId: "gpu-a", labels: "gpu=1,zone=a" },
      { hostId: "cpu-a", labels: "gpu=0,zone=a" },
      { hostId: "gpu-b", labels: "gpu=1,zone=b" },
    ],
  });
  const driver = await startDriver(cleanup, server, {
    cluster: "proc",
    hosts: 4,
    join: { labels: { role: "driver" } },
  });

  await t.step("the driver sees the three agents with their labels", () => {
    const seen = Object.fromEntries(driver.hosts().map((h) => [h.hostId, h.labels]));
    assert.deepEqual(seen, {
      "cpu-a": { gpu: "0", zone: "a" },
      driver: { role: "driver" },
      "gpu-a": { gpu: "1", zone: "a" },
      "gpu-b": { gpu: "1", zone: "b" },
    });
  });

  await t.step(
    "remote spawn works for every placement kind, and each actor answers from its host",
    async () => {
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
  );

  await t.step("messages between hosts stay in order per sender under load", async () => {
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
  });

  await t.step("refs passed between hosts arrive as working refs", async () => {
    const probe = TestProbe.spawn<{ heard: import("../../mod.ts").Tell<string> }>(driver);
    const relay = await driver.spawn(ProcRelay, { placement: { kind: "host", hostId: "gpu-a" } });
    const echo = await driver.spawn(ProcEcho, { placement: { kind: "host", hostId: "cpu-a" } });
    relay.tell("relay", { text: "hello", echo, replyTo: probe.ref });
    const heard = await probe.expectMessage("heard", undefined, { withinMs: 10_000 });
    assert.equal(heard.payload, `hello via ${relay.id} via ${echo.id}`);
  });

  await t.step(
    "a spawn whose definition cannot be loaded fails with DefinitionLoadError naming the module",
    async () => {
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
  );

  await t.step("a cluster with another name on the same server is invisible", async () => {
    const other = await startAgent({ url: server.url, cluster: "other", hostId: "stranger" });
    const observer = await ActorSystem.start({
      hostId: "observer",
      logFailures: false,
      deadLetters: { logPerSecond: 0 },
      cluster: { name: "other", servers: server.url },
    });
    try {
      // The observer, in the stranger's cluster, learns of it from the stranger's broadcasts.
      // The server routed each of those to every matching subscription as it arrived, so
      // once the driver has made a round trip to the server, all it could get is in.
      await waitFor(
        () => observer.hosts().some((h) => h.hostId === "stranger" && h.state === "alive"),
        "the stranger's own cluster to see it",
        10_000,
      );
      await driver.flush();
      assert.ok(!driver.hosts().some((h) => h.hostId === "stranger"));
      assert.ok(!driver.hosts().some((h) => h.hostId === "observer"));
      await assert.rejects(
        driver.spawn(ProcCounter, { placement: { kind: "host", hostId: "stranger" } }),
        (err: Error) => err.name === "PlacementError",
      );
    } finally {
      await observer.shutdown();
      await other.stop();
    }
  });

  await t.step(
    "an ask to a host killed with SIGKILL rejects fast instead of waiting for its timeout",
    async () => {
      const counter = await driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "gpu-b" },
      });
      assert.equal(await counter.ask("get"), 0);
      const status = await agents[2].kill();
      assert.equal(status.signal, "SIGKILL");
      // The server drops the dead connection's subscriptions once the socket closes.
      const started = Date.now();
      const state = () => driver.hosts().find((h) => h.hostId === "gpu-b")?.state;
      let err: unknown;
      let askedAt = started;
      while (Date.now() - started < 20_000) {
        askedAt = Date.now();
        err = await counter.ask("get", undefined, { timeoutMs: 30_000 }).catch((e) => e);
        // A bounce marks the host only if nothing was heard from it after the send: a
        // heartbeat still in flight at the kill can leave it "alive" until the next bounce.
        // On a loaded machine it may be declared lost first: either way it is not alive.
        if (HostUnreachableError.is(err) && state() !== "alive") break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(HostUnreachableError.is(err), String(err));
      // The ask that failed did not wait out its own 30 s timeout.
      assert.ok(Date.now() - askedAt < 30_000);
      assert.ok(["unreachable", "lost"].includes(state() ?? ""), `gpu-b is ${state()}`);
    },
  );

  await t.step("agents shut down gracefully on SIGTERM", async () => {
    await driver.shutdown();
    for (const agent of agents.slice(0, 2)) {
      const status = await agent.stop();
      assert.equal(status.code, 0);
    }
  });
});
