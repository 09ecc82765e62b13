/**
 * Failover figures with real processes: a nats-server with JetStream, three
 * host agents sharing a KV state bucket, and this process as the driver whose
 * supervisor keeps a persistent counter on an agent. Each run kills the agent
 * that holds the counter (`kill -9`), then measures:
 *
 * - `failover.detect_ms`: from the kill to the driver marking that host lost;
 * - `failover.serving_ms`: from the kill to the first successful ask to the
 *   counter, re-placed on another agent, resumed from its saved state.
 *
 * Usage: deno run -A bench/failover.ts <failover.detect_ms|failover.serving_ms> [runs]
 *
 * @module
 */

import { ActorSystem, childSpec, defineSupervisor, JetStreamStore } from "../mod.ts";
import { startNatsServer } from "../testing.ts";
import { median, report } from "./_measure.ts";
import { startAgent as startBenchAgent, stop } from "./_processes.ts";
import { BenchPCounter } from "./remote_defs.ts";

const figure = Deno.args[0];
const runs = Number(Deno.args[1] ?? 7);
const server = await startNatsServer();
const agents = new Map<string, Deno.ChildProcess>();
let nextAgent = 0;

async function startAgent(): Promise<string> {
  const id = `fa${nextAgent++}`;
  agents.set(
    id,
    await startBenchAgent(server.url, id, ["--labels", "pool=1", "--state-bucket", "state"]),
  );
  return id;
}

for (let i = 0; i < 3; i++) await startAgent();
const store = await JetStreamStore.open({ servers: server.url, bucket: "state" });
const driver = await ActorSystem.start({
  hostId: "driver",
  store,
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
  cluster: { name: "bench", servers: server.url },
});
const aliveAgents = () =>
  driver.hosts().filter((h) => h.state === "alive" && h.hostId !== "driver").length;
while (aliveAgents() < 3) await new Promise((resolve) => setTimeout(resolve, 20));

const Sup = defineSupervisor({
  type: "bench-fo-sup",
  strategy: { kind: "one_for_one", maxRestarts: 100, withinMs: 60_000 },
  children: [
    childSpec(BenchPCounter, {
      id: "c",
      name: "fo-counter",
      placement: { kind: "spread", labels: { pool: "1" } },
    }),
  ],
});
const sup = driver.spawn(Sup);
const detect: number[] = [];
const serving: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    let [child] = await sup.ask("which", undefined, { timeoutMs: 20_000 });
    let counter = driver.resolveRef(child.ref!.toJSON(), BenchPCounter);
    const before = await counter.ask("addAndGet", 1);
    const victim = child.hostId!;
    const killedAt = performance.now();
    agents.get(victim)!.kill("SIGKILL");
    let detected = false;
    while (true) {
      if (!detected && driver.hosts().find((h) => h.hostId === victim)?.state === "lost") {
        detected = true;
        detect.push(performance.now() - killedAt);
      }
      [child] = await sup.ask("which");
      if (child.hostId !== victim && child.ref !== undefined) {
        counter = driver.resolveRef(child.ref.toJSON(), BenchPCounter);
        const value = await counter.ask("addAndGet", 1, { timeoutMs: 1_000 }).catch(() =>
          undefined
        );
        if (value !== undefined) {
          if (value !== before + 1) throw new Error(`state lost: ${value} after ${before}`);
          serving.push(performance.now() - killedAt);
          break;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    while (!detected) {
      if (driver.hosts().find((h) => h.hostId === victim)?.state === "lost") {
        detected = true;
        detect.push(performance.now() - killedAt);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await agents.get(victim)!.status;
    agents.delete(victim);
    await startAgent();
    while (aliveAgents() < 3) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const samples = figure === "failover.detect_ms" ? detect : serving;
  report({ value: median(samples), unit: "ms", samples });
} finally {
  await driver.shutdown();
  await store.close();
  for (const child of agents.values()) await stop(child);
  await server.stop();
}
