/**
 * Failover with real processes: a nats-server with JetStream, three host
 * agents sharing a KV state bucket, and this process as the driver whose
 * supervisor keeps persistent counters on the agents.
 */

import assert from "node:assert/strict";
import {
  type ActorRef,
  ActorSystem,
  childSpec,
  defineSupervisor,
  JetStreamStore,
  startNatsServer,
} from "../../mod.ts";
import { ProcPCounter, type ProcPCounterProtocol } from "../_helpers/cluster_defs.ts";
import { type Agent, startAgent } from "../_helpers/agents.ts";
import { waitFor } from "../_helpers/system.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type PCounter = ActorRef<ProcPCounterProtocol>;

async function cluster(children: number, bucket: string) {
  const server = await startNatsServer();
  const agents: Agent[] = [];
  for (const id of ["w1", "w2", "w3"]) {
    agents.push(
      await startAgent({
        url: server.url,
        cluster: "fo",
        hostId: id,
        labels: "worker=1",
        extraArgs: ["--state-bucket", bucket],
      }),
    );
  }
  const store = await JetStreamStore.open({ servers: server.url, bucket });
  const driver = await ActorSystem.start({
    hostId: "driver",
    store,
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "fo", servers: server.url },
  });
  await waitFor(
    () => driver.hosts().filter((h) => h.state === "alive").length === 4,
    "four hosts",
    20_000,
  );
  const Sup = defineSupervisor({
    type: "fo-sup",
    strategy: { kind: "one_for_one", maxRestarts: 50, withinMs: 10_000 },
    children: Array.from(
      { length: children },
      (_, i) =>
        childSpec(ProcPCounter, {
          id: `c${i}`,
          name: `c${i}`,
          placement: { kind: "spread", labels: { worker: "1" } },
        }),
    ),
  });
  const sup = driver.spawn(Sup);
  await sup.ask("which", undefined, { timeoutMs: 30_000 });
  const current = async () =>
    new Map(
      (await sup.ask("which")).map((
        c,
      ) => [c.id, {
        ref: c.ref === undefined ? undefined : driver.resolveRef(c.ref.toJSON(), ProcPCounter),
        host: c.hostId,
      }]),
    );
  const close = async () => {
    await driver.shutdown();
    await store.close();
    for (const agent of agents) await agent.stop();
    await server.stop();
  };
  return { server, agents, driver, sup, current, close };
}

/** Keeps incrementing every child until `stop` resolves; counts acknowledged and failed asks. */
function load(
  current: () => Promise<Map<string, { ref: PCounter | undefined; host: string | undefined }>>,
  ids: string[],
) {
  const acked = new Map<string, number>();
  const failed = new Map<string, number>();
  const servedAfter = new Map<string, string>();
  let stopping = false;
  let mark = 0;
  const loops = ids.map(async (id) => {
    let ref: PCounter | undefined;
    while (!stopping) {
      try {
        if (ref === undefined) ref = (await current()).get(id)?.ref;
        if (ref === undefined) throw new Error("not placed yet");
        const value = await ref.ask("addAndGet", 1, { timeoutMs: 3_000 });
        acked.set(id, value);
        if (mark > 0 && Date.now() > mark) servedAfter.set(id, ref.id.split("/")[0]);
      } catch (err) {
        if ((err as Error).name === "StateConflictError") throw err;
        failed.set(id, (failed.get(id) ?? 0) + 1);
        ref = undefined;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
  return {
    acked,
    failed,
    servedAfter,
    markNow: () => mark = Date.now(),
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

Deno.test({
  ...opts,
  name:
    "kill -9 of a host holding 100 persistent actors under load: all serve again elsewhere, no acknowledged update lost",
  fn: async () => {
    // Spread round robin over three agents: 100 on each, so the victim holds 100.
    const c = await cluster(300, "state-kill");
    try {
      const ids = Array.from({ length: 300 }, (_, i) => `c${i}`);
      const traffic = load(c.current, ids);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const victim = c.agents[1];
      const onVictim = [...(await c.current()).entries()].filter(([, v]) =>
        v.host === victim.hostId
      ).map(([id]) => id);
      assert.equal(onVictim.length, 100, "the victim holds 100 persistent actors");
      await victim.kill();
      traffic.markNow();
      await waitFor(
        () => ids.every((id) => traffic.servedAfter.has(id)),
        "every actor serving after the kill",
        30_000,
      );
      await traffic.stop();
      for (const id of onVictim) assert.notEqual(traffic.servedAfter.get(id), victim.hostId);
      const now = await c.current();
      for (const id of ids) {
        const final = await now.get(id)!.ref!.ask("get");
        const acked = traffic.acked.get(id)!;
        assert.ok(final >= acked, `${id}: stored ${final} < acknowledged ${acked}`);
        assert.ok(
          final - acked <= (traffic.failed.get(id) ?? 0),
          `${id}: ${final - acked} more than the asks whose outcome is unknown`,
        );
      }
      const lost = c.driver.deaths.find({ kind: "host-lost" });
      assert.equal(lost.length, onVictim.length, "one host-lost record per actor on the victim");
    } finally {
      await c.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "SIGSTOP past the suspicion timeout, then SIGCONT: the stale activations stop and none of their writes is accepted",
  fn: async () => {
    const c = await cluster(12, "state-stop");
    try {
      const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
      const traffic = load(c.current, ids);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const frozen = c.agents[0];
      frozen.process.kill("SIGSTOP");
      traffic.markNow();
      await waitFor(
        () => ids.every((id) => traffic.servedAfter.has(id)),
        "every actor serving while it is frozen",
        30_000,
      );
      frozen.process.kill("SIGCONT");
      // It learns that it was declared lost, stops its stale actors, and rejoins as a new epoch.
      await waitFor(
        () => c.driver.hosts().find((h) => h.hostId === frozen.hostId)?.state === "alive",
        "the frozen host to rejoin",
        20_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await traffic.stop(); // a StateConflictError from a live activation would have thrown here
      const now = await c.current();
      for (const id of ids) {
        const ref = now.get(id)!.ref!;
        const before = await ref.ask("get");
        assert.ok(before >= traffic.acked.get(id)!, `${id}: an acknowledged update was lost`);
        // The live activation still owns its state: a stale write would have fenced it.
        assert.equal(await ref.ask("addAndGet", 1), before + 1);
      }
    } finally {
      await c.close();
    }
  },
});
