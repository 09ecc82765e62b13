/**
 * A cluster secured by `ctl auth init`: a real nats-server with the
 * generated configuration, a host agent process, a host and a driver in
 * this process, each with its own credentials file. Members work as usual;
 * a member cannot speak for another, an operator can only look, nobody reads
 * another's replies, and nobody without credentials gets in.
 */

import assert from "node:assert/strict";
import { ActorSystem, ClusterConnectError, JetStreamStore } from "../../mod.ts";
import { ClusterObserver } from "../../cluster/observer.ts";
import { main as ctlMain } from "../../cli/ctl.ts";
import { packValue } from "../../cluster/codec.ts";
import { connectNats } from "../../transport/nats_connect.ts";
import { ProcCounter, ProcPCounter } from "../_helpers/cluster_defs.ts";
import { startAgent } from "../_helpers/agents.ts";
import { expectedSum, ObjReader } from "../_helpers/object_defs.ts";
import { connectRecording, startSecuredServer } from "../_helpers/auth.ts";
import { waitFor } from "../_helpers/system.ts";

const R = "actors.sec";

Deno.test({
  // A refused connection leaves transport/nats_connect.ts's 3 s guard timer.
  sanitizeOps: false,
  name: "a cluster whose members each have their own NATS user",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const { server, auth, refusedSubjects } = await startSecuredServer(
      cleanup,
      "--cluster sec --hosts h1,h2 --drivers d1 --operators op1 --bucket sec-state --workers 1"
        .split(" "),
    );
    const refusedSoFar: string[] = [];
    const agent = await startAgent({
      url: server.url,
      cluster: "sec",
      hostId: "h2",
      extraArgs: ["--auth", auth("h2"), "--state-bucket", "sec-state", "--workers", "1"],
    });
    cleanup.defer(async () => void await agent.stop());
    const storeOf = async (id: string) => {
      const store = await JetStreamStore.open({
        servers: server.url,
        bucket: "sec-state",
        connectOptions: { authFile: auth(id) },
      });
      cleanup.defer(() => store.close());
      return store;
    };
    const join = async (id: string) => {
      // No hostId: a credentials file gives it.
      const system = await ActorSystem.start({
        store: await storeOf(id),
        deadLetters: { logPerSecond: 0 },
        cluster: {
          name: "sec",
          servers: server.url,
          connect: { authFile: auth(id) },
          // Two reads "at once" on a loaded machine may come seconds apart: one
          // window holds both, so that the fan-out step below sees one transfer.
          fanoutWindowMs: 5_000,
          fanoutReadyTimeoutMs: 10_000,
        },
      });
      cleanup.defer(() => system.shutdown());
      return system;
    };
    const h1 = await join("h1");
    const d1 = await join("d1");
    assert.equal(h1.hostId, "h1");
    assert.equal(d1.hostId, "d1");
    const upIds = (s: ActorSystem) =>
      s.hosts().filter((h) => h.state === "alive").map((h) => h.hostId).sort().join(",");
    await waitFor(() => upIds(d1) === "d1,h1,h2,h2-w1", "d1 to see h1, h2 and h2-w1", 30_000)
      .catch(async (e) => {
        throw new Error(`${e.message}: ${upIds(d1)}; refused ${await refusedSubjects()}`);
      });

    const onH2 = await d1.spawn(ProcCounter, { placement: { kind: "host", hostId: "h2" } });

    await t.step(
      "the driver spawns on the agent, its worker host and h1, tells and asks",
      async () => {
        assert.equal(await onH2.ask("where"), "h2");
        onH2.tell("add", 2);
        assert.equal(await onH2.ask("get"), 2);
        const onH1 = await d1.spawn(ProcCounter, { placement: { kind: "host", hostId: "h1" } });
        onH1.tell("add", 5);
        assert.equal(await onH1.ask("get"), 5);
        await d1.stop(onH1);
        // The agent's worker host speaks as h2-w1 with h2's credentials.
        const onWorker = await d1.spawn(ProcCounter, {
          placement: { kind: "host", hostId: "h2-w1" },
        });
        onWorker.tell("add", 1);
        assert.equal(await onWorker.ask("get"), 1);
      },
    );

    await t.step("a persistent actor on the agent keeps its state in the KV bucket", async () => {
      const counter = await d1.spawn(ProcPCounter, {
        placement: { kind: "host", hostId: "h2" },
        persistKey: "sec-counter",
      });
      assert.equal(await counter.ask("addAndGet", 4), 4);
      const keys = await (await storeOf("h1")).keys("state.");
      assert.ok(keys.some((k) => k.includes("sec-counter")), `state in the bucket: ${keys}`);
    });

    await t.step(
      "an object read by two hosts at once is published once, on a subject both may read",
      async () => {
        const value = new Float32Array(768 * 1024);
        for (let i = 0; i < value.length; i++) value[i] = i % 7;
        const obj = await d1.put(value);
        const reader = await d1.spawn(ObjReader, { placement: { kind: "host", hostId: "h2" } });
        const [there, here] = await Promise.all([
          reader.ask("read", obj, { timeoutMs: 60_000 }),
          h1.resolveObjectRef<Float32Array>(obj.toJSON()).get(),
        ]);
        assert.deepEqual(there, { sum: expectedSum(value.length), length: value.length });
        assert.equal(here.length, value.length);
        // The holder counts a reader delivered when its last credit arrives, which may follow the get.
        await waitFor(
          () => (d1.transportStats()?.fanout?.delivered ?? 0) >= 2,
          "both readers' last credit at the holder",
          30_000,
        );
        const fanout = d1.transportStats()?.fanout;
        assert.equal(fanout?.transfers, 1);
        assert.equal(fanout?.delivered, 2);
        await obj.release();
      },
    );

    await t.step("members doing their work were never refused anything", async () => {
      // Heartbeats, liveness workers, spawns, asks, KV reads and writes, all allowed.
      assert.deepEqual(await refusedSubjects(), []);
    });

    await t.step(
      "h1's credentials cannot announce, leave, declare lost or spawn as h2",
      async () => {
        const rogue = await connectRecording(cleanup, server.url, auth("h1"));
        const lost = packValue({ hostId: "h2", epoch: Number.MAX_SAFE_INTEGER });
        for (
          const [subject, data] of [
            [`${R}.h2.announce`, packValue({ hostId: "h2" })],
            [`${R}.h2.lost`, lost],
            [`${R}.h2.leave`, new TextEncoder().encode("h2")],
            [`${R}.h2.ctl.h1.spawn`, packValue({ type: "proc-counter" })],
            [`${R}.h2.to.h1`, new Uint8Array([2, 2, 104, 50])],
          ] as const
        ) {
          rogue.nc.publish(subject, data);
          await rogue.refused("publish", subject);
        }
        // As itself it may still publish.
        rogue.nc.publish(`${R}.h1.discover`, new Uint8Array(0));
        await rogue.nc.flush();
        assert.ok(!rogue.violations.includes(`publish ${R}.h1.discover`));
        refusedSoFar.push(...rogue.violations.map((v) => v.split(" ")[1]));
        // h2 was not affected: still alive for everyone, and its actor still answers.
        assert.equal(upIds(h1), "d1,h1,h2,h2-w1");
        assert.equal(upIds(d1), "d1,h1,h2,h2-w1");
        onH2.tell("add", 1);
        assert.equal(await onH2.ask("get"), 3);
      },
    );

    await t.step("an operator inspects, and the server refuses its spawns and stops", async () => {
      const observer = await ClusterObserver.connect({
        cluster: "sec",
        servers: server.url,
        // No id: the credentials file gives it.
        connect: { authFile: auth("op1") },
      });
      try {
        const inspection = await observer.inspect({ discoverMs: 1_500, timeoutMs: 10_000 });
        assert.deepEqual(inspection.hosts.map((h) => h.hostId).sort(), [
          "d1",
          "h1",
          "h2",
          "h2-w1",
        ]);
        assert.ok(inspection.actors.some((a) => a.id === onH2.id));
      } finally {
        await observer.close();
      }
      // `ctl --auth` takes the cluster and its id from the file.
      assert.equal(await ctlMain(["hosts", "--nats", server.url, "--auth", auth("op1")]), 0);
      assert.deepEqual(await refusedSubjects(), refusedSoFar, "the inspections were not refused");
      const operator = await connectRecording(cleanup, server.url, auth("op1"));
      for (const op of ["spawn", "stop"]) {
        const subject = `${R}.op1.ctl.h2.${op}`;
        const answer = operator.nc.request(subject, packValue({ type: "proc-counter" }), {
          timeout: 20_000,
        }).catch((err) => err);
        await operator.refused("publish", subject);
        assert.ok(await answer instanceof Error, "no host answered a refused request");
      }
      // Nor can it tell an actor anything.
      operator.nc.publish(`${R}.op1.to.h2`, new Uint8Array([2, 3, 111, 112, 49]));
      await operator.refused("publish", `${R}.op1.to.h2`);
      assert.equal(await onH2.ask("get"), 3);
    });

    await t.step("a member cannot subscribe to another's inbox or replies", async () => {
      const spy = await connectRecording(cleanup, server.url, auth("d1"));
      for (const subject of ["_INBOX_h1.>", "_INBOX.>", `${R}.*.to.h1`, `${R}.h1.bounce.>`]) {
        spy.nc.subscribe(subject);
        await spy.refused("subscription", subject);
      }
    });

    await t.step("a client without credentials cannot connect", async () => {
      const err = await connectNats(server.url, { maxReconnectAttempts: 0 }).catch((e) => e);
      assert.ok(err instanceof Error);
      assert.match(String(err.message), /[Aa]uthori[sz]ation/);
      const join = await ActorSystem.start({
        hostId: "intruder",
        cluster: { name: "sec", servers: server.url, connect: { maxReconnectAttempts: 0 } },
      }).catch((e) => e);
      assert.ok(join instanceof ClusterConnectError, String(join));
    });

    await t.step("a credentials file of another id is refused before connecting", async () => {
      const err = await ActorSystem.start({
        hostId: "h3",
        cluster: { name: "sec", servers: server.url, connect: { authFile: auth("h1") } },
      }).catch((e) => e);
      assert.match(String(err?.message), /it is for 'h1', not 'h3'/);
    });
  },
});
