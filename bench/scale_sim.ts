/**
 * Membership traffic and failure detection of simulated hosts: N full
 * hosts (`ActorSystem`s) in this process on the in-memory bus and one
 * virtual clock, with the defaults' heartbeat (250 ms) and suspicion timeout
 * (1000 ms). For each N: the messages the bus delivered per virtual second
 * while every host was idle, 6.5 s after the last join (per host, and in
 * all), then the virtual time from closing one host's connection (a crash)
 * until every live host holds it lost.
 *
 * - `scale.sim_1000.detect_ms`: that time at N = 1,000 (virtual ms); the
 *   peer is the same at N = 10.
 * - `scale.sim.bus_msgs.exponent`: the fitted exponent of the bus's
 *   deliveries per second over N = 10, 100, 1,000 (samples: per N).
 *
 * Usage: deno run -A bench/scale_sim.ts <figure> [sizes, comma-separated]
 *
 * @module
 */

import { ActorSystem } from "../mod.ts";
import { createVirtualClock } from "../testing.ts";
import { MemoryBus, type MemoryTransport } from "../transport/memory_bus.ts";
import { report } from "./_measure.ts";
import { fittedExponent } from "./scale.ts";
import { FULL_RATE_HEARTBEATS_AFTER_CHANGE } from "../cluster/monitors.ts";

const figure = Deno.args[0];
const sizes = (Deno.args[1] ?? "10,100,1000").split(",").map(Number);
const HEARTBEAT_MS = 250;
const SUSPICION_MS = 1_000;
const WINDOW_MS = 2_000;
/**
 * From the last join to the measured window: every verdict guard has passed,
 * and so have the heartbeats a slow monitor still hears at full rate after
 * its member's fast monitors changed (the joins change them); measured inside
 * those, the deliveries are the first seconds after a join, not the steady state.
 */
const SETTLE_MS = 2 * SUSPICION_MS + FULL_RATE_HEARTBEATS_AFTER_CHANGE * HEARTBEAT_MS + 500;

interface SimStep {
  readonly hosts: number;
  readonly busPerS: number;
  readonly perHostPerS: number;
  readonly detectMs: number;
}

async function simulateSize(n: number): Promise<SimStep> {
  const clock = createVirtualClock(1_000_000);
  const bus = new MemoryBus({ clock });
  const hosts: { id: string; system: ActorSystem; link: MemoryTransport }[] = [];
  for (let i = 0; i < n; i++) {
    const link = bus.connect();
    const id = `h${i}`;
    const system = await ActorSystem.start({
      hostId: id,
      clock,
      logFailures: false,
      log: { level: "silent" },
      scheduler: { sliceMs: Number.POSITIVE_INFINITY },
      deadLetters: { logPerSecond: 0 },
      cluster: {
        name: "scale",
        transport: link,
        heartbeatIntervalMs: HEARTBEAT_MS,
        suspicionTimeoutMs: SUSPICION_MS,
      },
    });
    hosts.push({ id, system, link });
    if (i % 20 === 19) await clock.advance(10);
  }
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 10) await clock.advance(10);
  };
  await step(SETTLE_MS);
  const before = bus.routed;
  await step(WINDOW_MS);
  const busPerS = (bus.routed - before) / (WINDOW_MS / 1_000);
  const victim = hosts[Math.floor(n / 2)];
  await victim.link.close();
  const killedAt = clock.now();
  const others = hosts.filter((h) => h !== victim);
  const agreed = () =>
    others.every((h) => h.system.hosts().find((x) => x.hostId === victim.id)?.state === "lost");
  while (!agreed()) {
    if (clock.now() - killedAt > 30_000) throw new Error(`no agreement at N = ${n}`);
    await clock.advance(10);
  }
  const detectMs = clock.now() - killedAt;
  const done = Promise.all(others.map((h) => h.system.shutdown({ timeoutMs: 100 })));
  await step(500);
  await done;
  const result = { hosts: n, busPerS, perHostPerS: busPerS / n, detectMs };
  console.error(JSON.stringify(result));
  return result;
}

/** One run's sizes, kept for the runner's other call (same parent process). */
const cache = `${Deno.env.get("TMPDIR") ?? "/tmp"}/actors-bench-scale-sim-${Deno.ppid}-${
  sizes.join("_")
}.json`;

async function simulateAll(): Promise<SimStep[]> {
  try {
    return JSON.parse(await Deno.readTextFile(cache)) as SimStep[];
  } catch {
    // Not simulated yet in this run.
  }
  const steps: SimStep[] = [];
  for (const n of sizes) steps.push(await simulateSize(n));
  await Deno.writeTextFile(cache, JSON.stringify(steps));
  return steps;
}

if (import.meta.main) {
  const steps = await simulateAll();
  const largest = steps.at(-1)!;
  const smallest = steps[0];
  switch (figure) {
    case "scale.sim_1000.detect_ms":
      report({
        value: largest.detectMs,
        unit: "ms",
        samples: steps.map((s) => s.detectMs),
        peer: { value: smallest.detectMs, unit: "ms", samples: [smallest.detectMs] },
      });
      break;
    case "scale.sim.bus_msgs.exponent":
      report({
        value: fittedExponent(steps.map((s) => [s.hosts, s.busPerS] as const)),
        unit: "exponent",
        samples: steps.map((s) => s.busPerS),
      });
      break;
    default:
      throw new Error(`unknown figure ${figure}`);
  }
  Deno.exit(0);
}
