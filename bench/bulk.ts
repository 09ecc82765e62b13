/**
 * Bulk figures (issue 18): large typed arrays between this process and a
 * host agent process on one private nats-server left at its default
 * `max_payload` (1 MiB), so every message here goes as a chunked envelope.
 *
 * - `bulk.ask.64MiB`: MiB/s of asks carrying a 64 MiB `Float32Array` (small
 *   reply); peer: raw NATS request/reply moving the same bytes in 1 MiB
 *   chunks, 8 in flight;
 * - `bulk.ask.64MiB.vs_tcp`: the same, against a loopback TCP socket between
 *   two Deno processes (measured in turn, in this program);
 * - `bulk.ask.64MiB.vs_nats_fresh`: the same, against raw NATS whose
 *   receiver copies each message's chunks into a fresh buffer of the
 *   message's size (as ours must: it hands the actor a new array), measured
 *   in turn in this program;
 * - `bulk.ask.64MiB.direct`: the same asks with the direct data channel on
 *   (both hosts listen on loopback; the chunks bypass NATS), against the same
 *   loopback TCP socket, measured in turn in this program;
 * - `bulk.ask.64MiB.direct.vs_tcp_fresh`: the same, against a loopback TCP
 *   socket whose receiver reads each message into a fresh buffer (as ours
 *   must: it hands the actor a new array): the first touch of fresh memory
 *   is what bounds both on a machine where page faults are slow;
 * - `bulk.ask.64MiB.direct.resident_heap`: the direct asks again, the
 *   receiving agent started with {@linkcode RESIDENT_HEAP} in its
 *   environment (glibc keeps freed memory mapped, so the next message's
 *   buffer reuses pages already touched), against the same raw socket;
 * - `bulk.tell.1GiB`: MiB/s of one 1 GiB tell (until the actor has it);
 * - `bulk.tell.1GiB.rss_sender_x`, `.rss_receiver_x`: peak RSS of each
 *   process during that tell, as a multiple of the payload;
 * - `bulk.heartbeat_p99_ms`: the p99 gap between heartbeats of both hosts
 *   during that tell, heard by a worker with a NATS connection of its own
 *   (fails if a host was declared lost).
 *
 * The 1 GiB run is made once and its figures kept for 15 minutes in a
 * temporary file, so the three figures of one `--only bulk` run share it.
 *
 * Usage: deno run -A bench/bulk.ts <figure> <ours|peer|ours+tcp|ours+nats-fresh>
 *
 * @module
 */

import { connect } from "npm:@nats-io/transport-node@3.4.0";
import { ActorSystem } from "../mod.ts";
import { startNatsServer } from "../testkit/nats_server.ts";
import { type Measurement, median } from "./_measure.ts";
import { BulkSink } from "./remote_defs.ts";
import { startAgent, startReady, stop } from "./_processes.ts";

const MiB = 1024 * 1024;
const ASK_BYTES = 64 * MiB;
const TELL_BYTES = 1024 * MiB;
const REPETITIONS = 5;
const CACHE = `${Deno.env.get("TMPDIR") ?? "/tmp"}/actors-bench-bulk-tell-1GiB.json`;

/**
 * glibc settings that keep large freed blocks in the process (no `mmap` per
 * block, no trimming): a new message buffer then reuses pages that a
 * collected one had touched, instead of faulting in fresh ones
 * (docs/moving-data.md, "The direct path").
 */
const RESIDENT_HEAP = {
  GLIBC_TUNABLES: "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967295",
};

const [figure, side] = Deno.args;
const server = await startNatsServer({ jetstream: false });
const children: Deno.ChildProcess[] = [];

function mibPerSecond(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1_000);
}

async function withCluster<T>(
  body: (system: ActorSystem, agent: Deno.ChildProcess) => Promise<T>,
  direct = false,
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  const agent = await startAgent(
    server.url,
    "r1",
    direct ? ["--direct", "127.0.0.1:0"] : [],
    env,
  );
  children.push(agent);
  const system = await ActorSystem.start({
    hostId: "driver",
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "bench", servers: server.url, ...(direct ? { directChannel: true } : {}) },
  });
  try {
    const started = Date.now();
    while (system.hosts().filter((h) => h.state === "alive").length < 2) {
      if (Date.now() - started > 20_000) throw new Error("hosts did not see each other");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return await body(system, agent);
  } finally {
    await system.shutdown();
  }
}

async function asks(
  direct = false,
  env: Readonly<Record<string, string>> = {},
  warmups = 1,
): Promise<Measurement> {
  return await withCluster(
    async (system) => {
      const sink = await system.spawn(BulkSink, { placement: { kind: "host", hostId: "r1" } });
      const tensor = new Float32Array(ASK_BYTES / 4).fill(1.5);
      for (let i = 0; i < warmups; i++) await sink.ask("see", tensor, { timeoutMs: 120_000 });
      const samples: number[] = [];
      for (let i = 0; i < REPETITIONS; i++) {
        const t = performance.now();
        const n = await sink.ask("see", tensor, { timeoutMs: 120_000 });
        samples.push(mibPerSecond(ASK_BYTES, performance.now() - t));
        if (n !== tensor.length) throw new Error(`the actor saw ${n} elements`);
      }
      const sent = system.transportStats()?.direct?.bytesSent ?? 0;
      if (direct && sent < (REPETITIONS + warmups) * ASK_BYTES) {
        throw new Error(`only ${sent} bytes went over the direct channel`);
      }
      return { value: median(samples), unit: "MiB/s", samples };
    },
    direct,
    env,
  );
}

/** Raw NATS request/reply of the chunks; `nats-fresh`: its receiver copies them into a fresh buffer per message. */
async function rawNats(kind: "nats" | "nats-fresh" = "nats"): Promise<Measurement> {
  const peer = new URL("./bulk_peer.ts", import.meta.url).pathname;
  children.push(
    await startReady(["run", "-A", peer, kind, server.url, String(ASK_BYTES)], "bulk"),
  );
  const nc = await connect({ servers: server.url });
  try {
    const chunk = MiB - 1024;
    const bytes = new Uint8Array(new Float32Array(ASK_BYTES / 4).fill(1.5).buffer);
    const once = async () => {
      let next = 0;
      const lane = async () => {
        while (next < bytes.byteLength) {
          const at = next;
          next += chunk;
          // A publish copies: each chunk is sent as the transfer sends it, from a view.
          await nc.request("bench.bulk", bytes.subarray(at, at + chunk), { timeout: 60_000 });
        }
      };
      await Promise.all(Array.from({ length: 8 }, lane));
    };
    await once();
    const samples: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      const t = performance.now();
      await once();
      samples.push(mibPerSecond(ASK_BYTES, performance.now() - t));
    }
    return { value: median(samples), unit: "MiB/s", samples };
  } finally {
    await nc.close();
  }
}

async function tcp(kind: "tcp" | "tcp-fresh" = "tcp"): Promise<Measurement> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const peer = await startReady(
    ["run", "-A", new URL("./bulk_peer.ts", import.meta.url).pathname, kind, String(port)],
    "bulk",
  );
  children.push(peer);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const bytes = new Uint8Array(new Float32Array(ASK_BYTES / 4).fill(1.5).buffer);
    const header = new Uint8Array(8);
    new DataView(header.buffer).setBigUint64(0, BigInt(bytes.byteLength));
    const answer = new Uint8Array(1);
    const once = async () => {
      await writeAll(conn, header);
      await writeAll(conn, bytes);
      if (await conn.read(answer) !== 1) throw new Error("the TCP peer closed");
    };
    await once();
    const samples: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      const t = performance.now();
      await once();
      samples.push(mibPerSecond(ASK_BYTES, performance.now() - t));
    }
    return { value: median(samples), unit: "MiB/s", samples };
  } finally {
    conn.close();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) at += await conn.write(bytes.subarray(at));
}

/** What the 1 GiB tell measured. */
interface TellRun {
  readonly atMs: number;
  readonly mibPerSecond: number;
  readonly rssSenderX: number;
  readonly rssReceiverX: number;
  readonly heartbeatP99Ms: number;
  readonly heartbeatGaps: number;
  readonly hostsLost: number;
}

function peakRssBytes(pid: number | "self"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmHWM for ${pid}`);
  return Number(kib) * 1024;
}

async function tellRun(): Promise<TellRun> {
  try {
    const cached = JSON.parse(Deno.readTextFileSync(CACHE)) as TellRun;
    if (Date.now() - cached.atMs < 15 * 60_000) return cached;
  } catch {
    // none yet
  }
  const run = await withCluster(async (system, agent) => {
    const sink = await system.spawn(BulkSink, {
      placement: { kind: "host", hostId: "r1" },
      mailbox: { kind: "bounded", capacity: 1000, maxBytes: 4 * TELL_BYTES },
    });
    const listener = new Worker(new URL("./_heartbeat_listener.ts", import.meta.url), {
      type: "module",
    });
    const ask = (message: unknown) =>
      new Promise<unknown>((resolve) => {
        listener.onmessage = (event) => resolve(event.data);
        listener.postMessage(message);
      });
    await ask({ kind: "connect", url: server.url, subject: "actors.bench.*.announce" });
    const epochs = system.hosts().map((h) => `${h.hostId} ${h.epoch}`).sort().join();
    const tensor = new Float32Array(TELL_BYTES / 4).fill(2);
    await ask({ kind: "start" });
    const started = performance.now();
    sink.tell("take", tensor);
    const taken = await sink.ask("taken", undefined, { timeoutMs: 600_000 });
    const ms = performance.now() - started;
    const gaps = await ask({ kind: "gaps" }) as number[];
    listener.terminate();
    if (taken !== tensor.length) throw new Error(`the actor took ${taken} elements`);
    gaps.sort((a, b) => a - b);
    const after = system.hosts().map((h) => `${h.hostId} ${h.epoch}`).sort().join();
    const lost = system.hosts().filter((h) => h.state !== "alive").length +
      (after === epochs ? 0 : 1);
    return {
      atMs: Date.now(),
      mibPerSecond: mibPerSecond(TELL_BYTES, ms),
      rssSenderX: peakRssBytes("self") / TELL_BYTES,
      rssReceiverX: peakRssBytes(agent.pid) / TELL_BYTES,
      heartbeatP99Ms: gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.99))] ?? NaN,
      heartbeatGaps: gaps.length,
      hostsLost: lost,
    };
  });
  Deno.writeTextFileSync(CACHE, JSON.stringify(run));
  console.error(JSON.stringify(run));
  return run;
}

async function ours(): Promise<Measurement> {
  switch (figure) {
    case "bulk.ask.64MiB":
      return await asks();
    case "bulk.ask.64MiB.vs_tcp": {
      const mine = await asks();
      return { ...mine, peer: await tcp() };
    }
    case "bulk.ask.64MiB.vs_nats_fresh": {
      const mine = await asks();
      return { ...mine, peer: await rawNats("nats-fresh") };
    }
    case "bulk.ask.64MiB.direct": {
      const mine = await asks(true);
      return { ...mine, peer: await tcp() };
    }
    case "bulk.ask.64MiB.direct.resident_heap": {
      // Until the first buffers are collected, each new one is fresh memory: measure after.
      const mine = await asks(true, RESIDENT_HEAP, 4);
      return { ...mine, peer: await tcp() };
    }
    case "bulk.ask.64MiB.direct.vs_tcp_fresh": {
      const mine = await asks(true);
      return { ...mine, peer: await tcp("tcp-fresh") };
    }
    case "bulk.tell.1GiB": {
      const run = await tellRun();
      return { value: run.mibPerSecond, unit: "MiB/s", samples: [run.mibPerSecond] };
    }
    case "bulk.tell.1GiB.rss_sender_x": {
      const run = await tellRun();
      return { value: run.rssSenderX, unit: "x", samples: [run.rssSenderX] };
    }
    case "bulk.tell.1GiB.rss_receiver_x": {
      const run = await tellRun();
      return { value: run.rssReceiverX, unit: "x", samples: [run.rssReceiverX] };
    }
    case "bulk.heartbeat_p99_ms": {
      const run = await tellRun();
      if (run.hostsLost > 0) throw new Error(`${run.hostsLost} host(s) declared lost`);
      return { value: run.heartbeatP99Ms, unit: "ms", samples: [run.heartbeatGaps] };
    }
  }
  throw new Error(`unknown figure ${figure}`);
}

try {
  const measurement = side === "peer" ? await rawNats() : await ours();
  console.log(JSON.stringify(measurement));
} finally {
  for (const child of children) await stop(child);
  await server.stop();
}
