/**
 * The benchmark runner (`deno task bench`): measures every figure and its
 * peer in separate processes, one after the other, in the same run, then
 * writes `bench/results.json` and the results table in `BENCHMARKS.md`.
 *
 * Usage: deno run -A bench/run.ts [--only <prefix>[,<prefix>...]] [--all]
 * (`--all` includes the 5-minute failure-detection soak, which `deno task soak` runs alone)
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { Measurement } from "./_measure.ts";

/** One figure: how to measure ours and the peer's, and the target. */
interface Figure {
  readonly name: string;
  readonly unit: string;
  /** The program and arguments that measure ours (the figure's name is added). */
  readonly program: string;
  readonly peer: string;
  /** The program that measures the peer, or "" when none does (or ours reports it too). */
  readonly peerProgram: string;
  /** Extra arguments after the figure's name: ours, then the peer's. */
  readonly args?: readonly [string, string];
  readonly higherIsBetter: boolean;
  readonly target: string;
  /** Runs only with `--all` or `--only` (the 5-minute soak). */
  readonly slow?: boolean;
  /** The target as a check of our value, or as the least ratio ours / peer. */
  readonly meets:
    | { readonly value: (value: number) => boolean }
    | { readonly minRatio: number }
    | { readonly maxRatio: number };
}

const figures: Figure[] = [
  {
    name: "local.tell",
    unit: "msg/s",
    program: "local.ts",
    peer: "nact",
    peerProgram: "nact_local.ts",
    higherIsBetter: true,
    target: ">= 10M msg/s",
    meets: { value: (v) => v >= 10_000_000 },
  },
  {
    name: "local.tell.numbers",
    unit: "msg/s",
    program: "local.ts",
    peer: "nact",
    peerProgram: "nact_local.ts",
    higherIsBetter: true,
    target: ">= 10M msg/s",
    meets: { value: (v) => v >= 10_000_000 },
  },
  {
    name: "local.tell.inspected",
    unit: "msg/s",
    program: "local.ts",
    peer: "the same run, not inspected",
    peerProgram: "local.ts",
    args: ["inspected", "plain"],
    higherIsBetter: true,
    target: ">= 0.95x not inspected",
    meets: { minRatio: 0.95 },
  },
  {
    name: "local.ask",
    unit: "asks/s",
    program: "local.ts",
    peer: "nact",
    peerProgram: "nact_local.ts",
    higherIsBetter: true,
    target: ">= 1M asks/s",
    meets: { value: (v) => v >= 1_000_000 },
  },
  {
    name: "local.spawn",
    unit: "actors/s",
    program: "local.ts",
    peer: "nact",
    peerProgram: "nact_local.ts",
    higherIsBetter: true,
    target: ">= 500k actors/s",
    meets: { value: (v) => v >= 500_000 },
  },
  {
    name: "local.idle_bytes_per_actor",
    unit: "bytes",
    program: "local.ts",
    peer: "nact",
    peerProgram: "nact_local.ts",
    higherIsBetter: false,
    target: "<= 500 bytes",
    meets: { value: (v) => v <= 500 },
  },
  {
    name: "local.bytes_per_actor_used",
    unit: "bytes",
    program: "local.ts",
    peer: "nact",
    peerProgram: "nact_local.ts",
    higherIsBetter: false,
    target: "<= 400 bytes (1M actors, each after one message)",
    meets: { value: (v) => v <= 400 },
  },
  {
    name: "local.restart",
    unit: "ms",
    program: "local.ts",
    peer: "nact",
    peerProgram: "nact_local.ts",
    higherIsBetter: false,
    target: "<= 1 ms (median)",
    meets: { value: (v) => v <= 1 },
  },
  {
    name: "startup.hello_ms",
    unit: "ms",
    program: "startup.ts",
    peer: "nact (the same program)",
    // startup.ts times the peer's program itself, in turn with ours.
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 1.5x nact (median of 7)",
    meets: { maxRatio: 1.5 },
  },
  {
    name: "startup.trivial_ms",
    unit: "ms",
    program: "startup.ts",
    peer: "none (the floor: a `deno run` that only prints)",
    peerProgram: "",
    higherIsBetter: false,
    target: "reported (median of 7)",
    meets: { value: () => true },
  },
  {
    name: "persist.turn.file",
    unit: "turns/s",
    program: "persist.ts",
    peer: "raw file-store CAS writes",
    peerProgram: "persist.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 0.8x the raw write loop",
    meets: { minRatio: 0.8 },
  },
  {
    name: "persist.turn.jetstream",
    unit: "turns/s",
    program: "persist.ts",
    peer: "raw sequential kv.put",
    peerProgram: "persist.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 0.8x raw sequential kv.put",
    meets: { minRatio: 0.8 },
  },
  {
    name: "persist.tells.jetstream",
    unit: "tells/s",
    program: "persist.ts",
    peer: "raw concurrent kv.put",
    peerProgram: "persist.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 1x raw concurrent kv.put",
    meets: { minRatio: 1 },
  },
  {
    name: "remote.tell",
    unit: "msg/s",
    program: "remote.ts",
    peer: "raw NATS pub/sub, one message per publish",
    peerProgram: "remote.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 2x raw per-message pub/sub",
    meets: { minRatio: 2 },
  },
  {
    name: "remote.tell.vs_batched",
    unit: "msg/s",
    program: "remote.ts",
    peer: "raw NATS pub/sub, 128 MessagePack values per publish (msgpackr)",
    peerProgram: "remote.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 0.5x raw batched pub/sub",
    meets: { minRatio: 0.5 },
  },
  {
    name: "remote.ask.p50_us",
    unit: "µs",
    program: "remote.ts",
    peer: "raw NATS request",
    peerProgram: "remote.ts",
    args: ["ours", "peer"],
    higherIsBetter: false,
    target: "<= 1.25x raw request p50",
    meets: { maxRatio: 1.25 },
  },
  {
    name: "remote.ask.traced_p50_us",
    unit: "µs",
    program: "remote_traced.ts",
    peer: "the same ask untraced (alternated, same minutes)",
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 1.15x untraced p50",
    meets: { maxRatio: 1.15 },
  },
  {
    name: "remote.ask.concurrent",
    unit: "asks/s",
    program: "remote.ts",
    peer: "raw NATS requests, 256 in flight",
    peerProgram: "remote.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 1x raw concurrent requests",
    meets: { minRatio: 1 },
  },
  {
    name: "entity.first_message_ms",
    unit: "ms",
    program: "entities.ts",
    peer: "2x remote ask p50 to a spawned actor + one state load p50 (KV get), in turn with ours",
    // entities.ts measures the bound itself, in turn with the first messages.
    peerProgram: "",
    args: ["ours", ""],
    higherIsBetter: false,
    target: "<= 2x remote ask p50 + one state load (3 hosts, JetStream shard claims and state)",
    meets: { maxRatio: 1 },
  },
  {
    name: "entity.ask",
    unit: "asks/s",
    program: "entities.ts",
    peer:
      "remote asks to one spawned actor, 256 in flight, same cluster, rounds alternated with ours",
    // entities.ts measures the peer itself, round by round with ours.
    peerProgram: "",
    args: ["ours", ""],
    higherIsBetter: true,
    target: ">= 0.8x remote concurrent asks (100k activated keys on 3 hosts, 256 in flight)",
    meets: { minRatio: 0.8 },
  },
  {
    name: "entity.ask.vs_spread",
    unit: "asks/s",
    program: "entities.ts",
    peer:
      "remote asks to three spawned actors, one on each agent, in turn; rounds alternated with ours",
    peerProgram: "",
    args: ["ours", ""],
    higherIsBetter: true,
    target: "reported (the same spread over three processes as the entities')",
    meets: { value: () => true },
  },
  {
    name: "entity.activations_per_s",
    unit: "activations/s",
    program: "entities.ts",
    peer: "remote spawns (spread over the same 3 hosts), same run",
    peerProgram: "entities.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 10k/s cold activations on 3 hosts (no state; shard claims in JetStream)",
    meets: { value: (v) => v >= 10_000 },
  },
  {
    name: "entity.duplicates",
    unit: "duplicates",
    program: "entities.ts",
    peer: "none (2,000 seeded simulations with 8 entities each, crashes, cuts and joins)",
    peerProgram: "",
    args: ["", ""],
    higherIsBetter: false,
    target: "0",
    meets: { value: (v) => v === 0 },
  },
  {
    name: "bulk.ask.64MiB",
    unit: "MiB/s",
    program: "bulk.ts",
    peer: "raw NATS request/reply of the same bytes in 1 MiB chunks, 8 in flight",
    peerProgram: "bulk.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 0.9x raw NATS chunked request/reply (default max_payload)",
    meets: { minRatio: 0.9 },
  },
  {
    name: "bulk.ask.64MiB.vs_tcp",
    unit: "MiB/s",
    program: "bulk.ts",
    peer: "a loopback TCP socket between two Deno processes, the same bytes",
    peerProgram: "",
    args: ["ours+tcp", ""],
    higherIsBetter: true,
    target: "reported (the ratio to a raw socket)",
    meets: { value: (v) => v > 0 },
  },
  {
    name: "bulk.ask.64MiB.vs_nats_fresh",
    unit: "MiB/s",
    program: "bulk.ts",
    peer:
      "raw NATS request/reply in 1 MiB chunks, 8 in flight, copied into a fresh buffer per message",
    peerProgram: "",
    args: ["ours+nats-fresh", ""],
    higherIsBetter: true,
    target: "reported (what assembling a new array costs the peer)",
    meets: { value: (v) => v > 0 },
  },
  {
    name: "bulk.ask.64MiB.direct",
    unit: "MiB/s",
    program: "bulk.ts",
    peer: "a loopback TCP socket between two Deno processes, the same bytes",
    peerProgram: "",
    args: ["ours+tcp", ""],
    higherIsBetter: true,
    target: ">= 0.5x a raw loopback TCP socket (direct data channel on)",
    meets: { minRatio: 0.5 },
  },
  {
    name: "bulk.ask.64MiB.direct.resident_heap",
    unit: "MiB/s",
    program: "bulk.ts",
    peer: "a loopback TCP socket between two Deno processes, the same bytes",
    peerProgram: "",
    args: ["ours+tcp", ""],
    higherIsBetter: true,
    target:
      ">= 0.5x a raw loopback TCP socket (direct channel on; receiver's glibc keeps freed memory)",
    meets: { minRatio: 0.5 },
  },
  {
    name: "bulk.ask.64MiB.direct.vs_tcp_fresh",
    unit: "MiB/s",
    program: "bulk.ts",
    peer: "a loopback TCP socket reading each message into a fresh buffer, the same bytes",
    peerProgram: "",
    args: ["ours+tcp", ""],
    higherIsBetter: true,
    target: "reported (what delivering a new array costs, on both sides)",
    meets: { value: (v) => v > 0 },
  },
  {
    name: "bulk.tell.1GiB",
    unit: "MiB/s",
    program: "bulk.ts",
    peer: "none (completes)",
    peerProgram: "",
    higherIsBetter: true,
    target: "completes",
    meets: { value: (v) => v > 0 },
  },
  {
    name: "bulk.tell.1GiB.rss_sender_x",
    unit: "x",
    program: "bulk.ts",
    peer: "none (peak RSS of the sending process / payload)",
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 2.5x payload",
    meets: { value: (v) => v <= 2.5 },
  },
  {
    name: "bulk.tell.1GiB.rss_receiver_x",
    unit: "x",
    program: "bulk.ts",
    peer: "none (peak RSS of the receiving host process / payload)",
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 2.5x payload",
    meets: { value: (v) => v <= 2.5 },
  },
  {
    name: "bulk.heartbeat_p99_ms",
    unit: "ms",
    program: "bulk.ts",
    peer: "none (gaps between heartbeats of both hosts during bulk.tell.1GiB; 0 hosts lost)",
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 500 ms, 0 hosts lost",
    meets: { value: (v) => v <= 500 },
  },
  {
    name: "ps.gradient_bytes",
    unit: "MiB/s",
    program: "param_server.ts",
    peer:
      "raw NATS requests moving the same bytes in 512 KiB messages (no compute, no weights, no storage)",
    peerProgram: "param_server.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 0.8x the raw bandwidth (examples/06_parameter_server.ts --nats, sync, 12 steps)",
    meets: { minRatio: 0.8 },
  },
  {
    name: "failover.detect_ms",
    unit: "ms",
    program: "failover.ts",
    peer: "none (cited, not measured: Akka ~5.5 s, Orleans ~15 s, Ray 15-55 s)",
    peerProgram: "",
    args: ["7", ""],
    higherIsBetter: false,
    target: "<= 1500 ms (median of 7)",
    meets: { value: (v) => v <= 1_500 },
  },
  {
    name: "inspect.actors_1M_ms",
    unit: "ms",
    program: "inspect.ts",
    peer: "system.inspect() of the same host (counts all, lists 1,000)",
    peerProgram: "inspect.ts",
    args: ["ours", "peer"],
    higherIsBetter: false,
    target: "<= 500 ms (first page of system.inspectActors(), 1M actors)",
    meets: { value: (v) => v <= 500 },
  },
  {
    name: "inspect.actors_1M_stall_ms",
    unit: "ms",
    program: "inspect.ts",
    peer: "the same timer over an idle loop as long (the process's floor)",
    // inspect.ts measures the idle loop itself, in turn with ours.
    peerProgram: "",
    args: ["ours", "ours"],
    higherIsBetter: false,
    target: "<= 50 ms (longest loop stall while the first page is answered)",
    meets: { value: (v) => v <= 50 },
  },
  {
    name: "failover.serving_ms",
    unit: "ms",
    program: "failover.ts",
    peer: "none",
    peerProgram: "",
    args: ["7", ""],
    higherIsBetter: false,
    target: "<= 2000 ms (median of 7)",
    meets: { value: (v) => v <= 2_000 },
  },
  {
    name: "failover.serving_1000_ms",
    unit: "ms",
    program: "failover_many.ts",
    peer: "none (samples, run after run: all serving, declared lost, first serving)",
    peerProgram: "",
    higherIsBetter: false,
    target:
      "<= 1500 ms (kill -9 of a host holding 1,000 persistent actors under one supervisor; median of 3)",
    meets: { value: (v) => v <= 1_500 },
  },
  {
    name: "failover.serving_10000_ms",
    unit: "ms",
    program: "failover_many.ts",
    peer: "none (samples: all serving, declared lost, first serving)",
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 5000 ms (the same with 10,000 actors)",
    meets: { value: (v) => v <= 5_000 },
    slow: true,
  },
  {
    name: "failover.false_positives",
    unit: "declarations",
    program: "soak.ts",
    peer: "none",
    peerProgram: "",
    args: ["300", ""],
    higherIsBetter: false,
    target: "0 in 5 min, 8 hosts under load",
    meets: { value: (v) => v === 0 },
    slow: true,
  },
  {
    name: "failover.false_positives.busy",
    unit: "declarations",
    program: "soak.ts",
    peer: "none",
    peerProgram: "",
    args: ["300", ""],
    higherIsBetter: false,
    target: "0 in 5 min, 8 hosts under load, 0.5-5 s synchronous handlers",
    meets: { value: (v) => v === 0 },
    slow: true,
  },
  {
    name: "scale.bg_msgs_per_host",
    unit: "msg/s",
    program: "scale.ts",
    peer: "the same figure at N = 4 idle hosts, in the same run",
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 2x the figure at N = 4 (N = 32 real idle agents, one nats-server)",
    meets: { maxRatio: 2 },
  },
  {
    name: "scale.server_msgs",
    unit: "msg/s",
    program: "scale.ts",
    peer: "the same figure at N = 4 idle hosts, in the same run",
    peerProgram: "",
    higherIsBetter: false,
    target: "report (delivered by the server at N = 32; samples N = 2..32)",
    meets: { value: () => true },
  },
  {
    name: "scale.server_msgs.exponent",
    unit: "exponent",
    program: "scale.ts",
    peer: "none (all-to-all heartbeats: 2)",
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 1.2 (fitted over N = 8..32, where every host has its 4 monitors)",
    meets: { value: (v) => v <= 1.2 },
  },
  {
    name: "scale.server_msgs.exponent_2_32",
    unit: "exponent",
    program: "scale.ts",
    peer: "none (all-to-all heartbeats: 2)",
    peerProgram: "",
    higherIsBetter: false,
    target: "<= 1.2 (fitted over N = 2..32: issue 20's figure; two of each host's 4 monitors slow)",
    meets: { value: (v) => v <= 1.2 },
  },
  {
    name: "scale.sim_1000.detect_ms",
    unit: "ms",
    program: "scale_sim.ts",
    peer: "the same at N = 10 simulated hosts, in the same run",
    peerProgram: "",
    args: ["10,100,1000", ""],
    higherIsBetter: false,
    target: "<= 3000 ms virtual time, 1,000 simulated hosts",
    meets: { value: (v) => v <= 3_000 },
  },
  {
    name: "scale.sim.bus_msgs.exponent",
    unit: "exponent",
    program: "scale_sim.ts",
    peer: "none",
    peerProgram: "",
    args: ["10,100,1000", ""],
    higherIsBetter: false,
    target: "<= 1.2 (bus deliveries fitted over N = 10, 100, 1,000 simulated hosts)",
    meets: { value: (v) => v <= 1.2 },
  },
  {
    name: "remote.spawn",
    unit: "actors/s",
    program: "remote.ts",
    peer: "none (report; Ray ~550/s cited, not measured)",
    peerProgram: "",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: "report",
    meets: { value: () => true },
  },
  {
    name: "workers.speedup",
    unit: "tasks/s",
    program: "workers.ts",
    peer: "one thread (`workers: 0`), the same 64 tasks",
    peerProgram: "workers.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 1.7x one thread",
    meets: { minRatio: 1.7 },
  },
  {
    name: "workers.tell",
    unit: "msg/s",
    program: "workers.ts",
    peer: "raw `postMessage` between two plain Workers, one value per call",
    peerProgram: "workers.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 2x raw per-value postMessage",
    meets: { minRatio: 2 },
  },
  {
    name: "workers.transfer",
    unit: "MiB/s",
    program: "workers.ts",
    peer: "raw `postMessage(array, [array.buffer])` between two plain Workers",
    peerProgram: "workers.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target: ">= 0.9x raw transferring postMessage",
    meets: { minRatio: 0.9 },
  },
  {
    name: "bulk.broadcast",
    unit: "MiB/s",
    program: "broadcast.ts",
    peer: "the owner sending the 64 MiB array to each of the 4 readers (4 unicast asks)",
    peerProgram: "broadcast.ts",
    args: ["ours", "peer"],
    higherIsBetter: true,
    target:
      ">= 2x the 4 unicasts at 64 MiB (the readers' gets share one fan-out publish of the object)",
    meets: { minRatio: 2 },
  },
];

/** One row of `bench/results.json`. */
interface Result {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly peer: string;
  readonly peerValue: number | null;
  /** ours / peer, or `null` without a peer. */
  readonly ratio: number | null;
  readonly higherIsBetter: boolean;
  readonly target: string;
  readonly meetsTarget: boolean;
  readonly samples: readonly number[];
  readonly peerSamples: readonly number[];
  /** When the run that measured it began (absent on figures kept from runs before dates were kept). */
  readonly measuredAt?: string;
}

const benchDir = new URL("./", import.meta.url);

async function measure(program: string, figure: string, extra?: string): Promise<Measurement> {
  const args = ["run", "-A", "--v8-flags=--expose-gc", new URL(program, benchDir).pathname, figure];
  if (extra !== undefined && extra !== "") args.push(extra);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(stdout).trim().split("\n");
  if (code !== 0) {
    throw new Error(`${program} ${figure} failed (${code}):\n${new TextDecoder().decode(stderr)}`);
  }
  return JSON.parse(out[out.length - 1]) as Measurement;
}

function machine(): Record<string, unknown> {
  let cpu = "unknown";
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    cpu = /model name\s*:\s*(.+)/.exec(info)?.[1] ?? cpu;
  } catch {
    // not Linux: leave it unknown
  }
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

function format(value: number, unit: string): string {
  if (unit === "exponent") return value.toFixed(2);
  if (unit === "bytes") return `${value.toFixed(0)} B`;
  if (unit === "µs") return `${value.toFixed(0)} µs`;
  if (unit === "ms") {
    return value < 1 ? `${(value * 1_000).toFixed(0)} µs` : `${value.toFixed(2)} ms`;
  }
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(2)}M ${unit}`;
  if (value >= 1_000) return `${(value / 1_000).toFixed(1)}k ${unit}`;
  return `${value.toFixed(1)} ${unit}`;
}

function table(results: readonly Result[]): string {
  const lines = [
    "| figure | ours | peer | peer value | ours / peer | target | met |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    lines.push(
      `| \`${r.name}\` | ${format(r.value, r.unit)} | ${r.peer} | ${
        r.peerValue === null ? "-" : format(r.peerValue, r.unit)
      } | ${r.ratio === null ? "-" : `${r.ratio.toFixed(2)}x`}${
        r.higherIsBetter || r.ratio === null ? "" : " (lower is better)"
      } | ${r.target} | ${r.meetsTarget ? "yes" : "**no**"} |`,
    );
  }
  return lines.join("\n");
}

const { values } = parseArgs({
  args: Deno.args,
  options: { only: { type: "string" }, all: { type: "boolean" } },
});
const selected = figures.filter((f) =>
  values.only === undefined
    ? values.all === true || f.slow !== true
    : values.only.split(",").some((prefix) => f.name.startsWith(prefix))
);
const runAt = new Date().toISOString();
const results: Result[] = [];
for (const figure of selected) {
  console.error(`measuring ${figure.name} ...`);
  const ours = await measure(figure.program, figure.name, figure.args?.[0]);
  let peer = ours.peer;
  if (peer === undefined && figure.peerProgram !== "") {
    console.error(`measuring ${figure.name} on ${figure.peer} ...`);
    peer = await measure(figure.peerProgram, figure.name, figure.args?.[1]);
  }
  const ratio = peer === undefined ? null : ours.value / peer.value;
  results.push({
    name: figure.name,
    value: ours.value,
    unit: figure.unit,
    peer: figure.peer,
    peerValue: peer?.value ?? null,
    ratio,
    higherIsBetter: figure.higherIsBetter,
    target: figure.target,
    meetsTarget: "minRatio" in figure.meets
      ? ratio !== null && ratio >= figure.meets.minRatio
      : "maxRatio" in figure.meets
      ? ratio !== null && ratio <= figure.meets.maxRatio
      : figure.meets.value(ours.value),
    samples: ours.samples,
    peerSamples: peer?.samples ?? [],
    measuredAt: runAt,
  });
}

/** Says when the table was measured; after `--only`, that most figures come from earlier runs. */
function measuredLine(figureCount: number): string {
  if (results.length === figureCount) return `Measured ${runAt}`;
  return `Last run ${runAt} (it measured ${results.length} of the ${figureCount} figures again; ` +
    "the others are from earlier runs, and `bench/results.json` dates each figure measured since " +
    "2026-12-07 in `measuredAt`)";
}

const resultsUrl = new URL("results.json", benchDir);
let previous: Result[] = [];
try {
  previous = JSON.parse(Deno.readTextFileSync(resultsUrl)).figures ?? [];
} catch {
  // first run
}
const merged = [
  ...previous.filter((p) => !results.some((r) => r.name === p.name)),
  ...results,
].sort((a, b) =>
  figures.findIndex((f) => f.name === a.name) - figures.findIndex((f) => f.name === b.name)
);
const document = { measuredAt: runAt, machine: machine(), figures: merged };
Deno.writeTextFileSync(resultsUrl, JSON.stringify(document, null, 2) + "\n");

const benchmarksUrl = new URL("../BENCHMARKS.md", benchDir);
const markdown = Deno.readTextFileSync(benchmarksUrl);
const begin = "<!-- results:begin -->";
const end = "<!-- results:end -->";
const m = document.machine as Record<string, unknown>;
const block =
  `${begin}\n${measuredLine(merged.length)} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ` +
  `${m.os}, Deno ${m.deno}.\n\n${table(merged)}\n${end}`;
Deno.writeTextFileSync(
  benchmarksUrl,
  markdown.replace(new RegExp(`${begin}[\\s\\S]*${end}`), block),
);
// Keep the written files as `deno fmt` wants them, so `deno task check` stays green.
await new Deno.Command(Deno.execPath(), {
  args: ["fmt", new URL("../BENCHMARKS.md", benchDir).pathname, resultsUrl.pathname],
  stdout: "null",
  stderr: "inherit",
}).output();
console.log(table(results));
