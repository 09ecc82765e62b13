/**
 * Failover of many persistent actors under one supervisor, with real
 * processes: a nats-server with JetStream, one agent that holds all of a
 * driver's supervisor's `count` persistent counters, two more agents that
 * join after, and the driver. The first agent is killed (`kill -9`); the
 * figure is the time from the kill until every counter has answered a read
 * from another agent, resumed from its saved state (the children's refs are
 * read from the supervisor's `which`, which answers while the restart runs:
 * a child shows once the batch that started it has answered).
 *
 * The 1,000-actor figure is the median of 3 such runs (each with a fresh
 * server and agents: one run on this shared machine moved by 200 ms from
 * run to run); the 10,000-actor one is a single run. Prints one JSON line,
 * with each run's phases in `samples`: [all serving, declared lost, first
 * one serving], run after run.
 *
 * Usage: deno run -A bench/failover_many.ts <failover.serving_1000_ms|failover.serving_10000_ms>
 *
 * @module
 */

import { ActorSystem, childSpec, defineSupervisor, JetStreamStore } from "../mod.ts";
import { startNatsServer } from "../testing.ts";
import { report } from "./_measure.ts";
import { startAgent as startBenchAgent, stop } from "./_processes.ts";
import { BenchPCounter } from "./remote_defs.ts";

const figure = Deno.args[0];
const count = figure === "failover.serving_10000_ms" ? 10_000 : 1_000;
const runs = count === 1_000 ? 3 : 1;

/** One run: a fresh server and agents; returns [all serving, declared lost, first serving] in ms. */
async function once(): Promise<[number, number, number]> {
  const server = await startNatsServer();
  const agents = new Map<string, Deno.ChildProcess>();

  async function startAgent(id: string): Promise<void> {
    agents.set(
      id,
      await startBenchAgent(
        server.url,
        id,
        ["--labels", "pool=1", "--state-bucket", "state"],
        {},
        // 10,000 actors and their spawn answers need more than an agent's small default heap.
        ["--v8-flags=--max-old-space-size=2048"],
      ),
    );
  }

  const store = await JetStreamStore.open({ servers: server.url, bucket: "state" });
  const driver = await ActorSystem.start({
    hostId: "driver",
    store,
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "bench", servers: server.url },
  });
  const alive = (id: string) => driver.hosts().some((h) => h.hostId === id && h.state === "alive");
  const until = async (test: () => boolean) => {
    while (!test()) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  try {
    await startAgent("victim");
    await until(() => alive("victim"));
    const Sup = defineSupervisor({
      type: "bench-fom-sup",
      strategy: { kind: "one_for_one", maxRestarts: count * 4, withinMs: 60_000 },
      children: Array.from({ length: count }, (_, i) =>
        childSpec(BenchPCounter, {
          id: `c${i}`,
          name: `fom-${i}`,
          placement: { kind: "spread", labels: { pool: "1" } },
        })),
    });
    const sup = driver.spawn(Sup);
    const asked = async (children: Awaited<ReturnType<typeof which>>) =>
      await Promise.all(children.map(async (child) => {
        const counter = driver.resolveRef(child.ref!.toJSON(), BenchPCounter);
        return await counter.ask("addAndGet", 1, { timeoutMs: 60_000 });
      }));
    const which = () => sup.ask("which", undefined, { timeoutMs: 120_000 });
    await asked(await which());
    await startAgent("s1");
    await startAgent("s2");
    await until(() => alive("s1") && alive("s2"));
    const killedAt = performance.now();
    agents.get("victim")!.kill("SIGKILL");
    let lostMs = NaN;
    void until(() => !driver.hosts().some((h) => h.hostId === "victim" && h.state !== "lost"))
      .then(() => lostMs = performance.now() - killedAt);
    let firstMs = NaN;
    const serving = new Set<string>();
    while (serving.size < count) {
      const moved = (await which()).filter((c) =>
        !serving.has(c.id) && c.ref !== undefined && c.hostId !== "victim"
      );
      await Promise.all(moved.map(async (child) => {
        const counter = driver.resolveRef(child.ref!.toJSON(), BenchPCounter);
        // A read (no state write): what is measured is the failover, not the checks' writes.
        const value = await counter.ask("get", undefined, { timeoutMs: 5_000 }).catch(() =>
          undefined
        );
        if (value === undefined) return;
        if (value !== 1) throw new Error(`${child.id}: state lost (${value} after 1)`);
        if (serving.size === 0) firstMs = performance.now() - killedAt;
        serving.add(child.id);
      }));
      if (moved.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return [performance.now() - killedAt, lostMs, firstMs];
  } finally {
    await driver.shutdown();
    await store.close();
    for (const child of agents.values()) await stop(child);
    await server.stop();
  }
}

const results: [number, number, number][] = [];
for (let i = 0; i < runs; i++) results.push(await once());
const all = results.map((r) => r[0]).sort((a, b) => a - b);
report({ value: all[Math.floor(all.length / 2)], unit: "ms", samples: results.flat() });
