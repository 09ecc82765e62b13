/**
 * Bulk figures: one value read by several host processes.
 *
 * `bulk.broadcast`: one object (`system.put`) read by 4 host agent
 * processes (`obj.get()` in an actor on each), against the peer: the same
 * array sent by the owner to each of the 4 as the payload of an ask (4
 * unicasts). The value is a 64 MiB `Float32Array`, so both sides travel as
 * chunked envelopes over a server at its default `max_payload`; each
 * repetition puts a fresh object (no reader has it yet), whose 4 gets
 * share one fan-out transfer (docs/moving-data.md, "Many readers"). The
 * figure is MiB/s delivered (4 x the value's size per repetition's time).
 *
 * Usage: deno run -A bench/broadcast.ts bulk.broadcast <ours|peer>
 *
 * @module
 */

import { ActorSystem } from "../mod.ts";
import { startNatsServer } from "../testkit/nats_server.ts";
import { type Measurement, median, report } from "./_measure.ts";
import { BulkReader } from "./remote_defs.ts";
import { startAgent, stop } from "./_processes.ts";

const READERS = 4;
const BYTES = 64 * 1024 * 1024;
const REPETITIONS = 5;
const WARM_UP = 2;

const [figure, side] = Deno.args;
if (figure !== "bulk.broadcast") throw new Error(`unknown figure ${figure}`);
const server = await startNatsServer({ jetstream: false });
const children: Deno.ChildProcess[] = [];

async function measure(): Promise<Measurement> {
  const ids = Array.from({ length: READERS }, (_, i) => `reader${i}`);
  children.push(...await Promise.all(ids.map((id) => startAgent(server.url, id))));
  const system = await ActorSystem.start({
    hostId: "driver",
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "bench", servers: server.url },
  });
  try {
    const started = Date.now();
    while (system.hosts().filter((h) => h.state === "alive").length < READERS + 1) {
      if (Date.now() - started > 20_000) throw new Error("hosts did not see each other");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const readers = await Promise.all(
      ids.map((hostId) => system.spawn(BulkReader, { placement: { kind: "host", hostId } })),
    );
    const once = async () => {
      const array = new Float32Array(BYTES / 4);
      const t = performance.now();
      if (side === "peer") {
        await Promise.all(readers.map((r) => r.ask("take", array, { timeoutMs: 60_000 })));
      } else {
        const obj = await system.put(array);
        await Promise.all(readers.map((r) => r.ask("read", obj, { timeoutMs: 60_000 })));
        const elapsed = performance.now() - t;
        await obj.release();
        return elapsed;
      }
      return performance.now() - t;
    };
    // Warm-up: the agents compile their decode and fetch paths on the first ones.
    for (let i = 0; i < WARM_UP; i++) await once();
    const samples: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      samples.push((READERS * BYTES / 2 ** 20) / ((await once()) / 1_000));
    }
    // What the repetitions cost the owner: its fan-out publishes (one per
    // repetition) and the bytes it sent (about 1 or 4 values per repetition).
    const stats = system.transportStats();
    const sentMiB = ((stats?.bytesSent ?? 0) / 2 ** 20).toFixed(0);
    console.error(`owner (${side}): sent ${sentMiB} MiB; fan-out ${JSON.stringify(stats?.fanout)}`);
    return { value: median(samples), unit: "MiB/s", samples };
  } finally {
    await system.shutdown();
  }
}

try {
  report(await measure());
} finally {
  for (const child of children) await stop(child);
  await server.stop();
}
