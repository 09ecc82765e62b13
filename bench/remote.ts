/**
 * Remote figures: this process and separate host processes on one private
 * nats-server; the peer is raw NATS with the same client library.
 *
 * Usage: deno run -A bench/remote.ts <figure> <ours|peer>
 *
 * @module
 */

import { connect } from "npm:@nats-io/transport-node@3.4.0";
import { Packr } from "npm:msgpackr@2.1.3";
import { trace } from "npm:@opentelemetry/api@1.9.0";
import { ActorSystem } from "../mod.ts";
import { startNatsServer } from "../testkit/nats_server.ts";
import { type Measurement, median, rate, report } from "./_measure.ts";
import { Sink, Tiny } from "./remote_defs.ts";
import { startAgent, startReady, stop } from "./_processes.ts";

/** Values per publish of the batched raw peer. */
const BATCH_VALUES = 128;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

const [figure, side] = Deno.args;
const server = await startNatsServer({ jetstream: false });
const children: Deno.ChildProcess[] = [];

async function driver(): Promise<ActorSystem> {
  const system = await ActorSystem.start({
    hostId: "driver",
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "bench", servers: server.url },
  });
  const expected = children.length + 1;
  const started = Date.now();
  while (system.hosts().filter((h) => h.state === "alive").length < expected) {
    if (Date.now() - started > 20_000) throw new Error("hosts did not see each other");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return system;
}

async function ours(): Promise<Measurement> {
  const agents = figure === "remote.spawn" ? ["r1", "r2", "r3"] : ["r1"];
  for (const id of agents) children.push(await startAgent(server.url, id));
  const system = await driver();
  try {
    if (figure === "remote.spawn") {
      const count = 10_000;
      return await rate(count, async () => {
        const refs = await Promise.all(
          Array.from(
            { length: count },
            () => system.spawn(Tiny, { placement: { kind: "spread" } }),
          ),
        );
        await Promise.all(refs.slice(-3).map((r) => r.ask("ping")));
      }, 3);
    }
    const sink = await system.spawn(Sink, { placement: { kind: "host", hostId: "r1" } });
    switch (figure) {
      case "remote.tell":
      case "remote.tell.vs_batched": {
        const count = 1_000_000;
        let expected = await sink.ask("count");
        return await rate(count, async () => {
          for (let i = 0; i < count; i++) {
            sink.tell("hit", i);
            // Yield now and then so the batches go out while the loop runs.
            if ((i & 8191) === 8191) await new Promise((resolve) => setTimeout(resolve, 0));
          }
          expected += count;
          const seen = await sink.ask("count", undefined, { timeoutMs: 60_000 });
          if (seen !== expected) throw new Error(`lost tells: ${seen} != ${expected}`);
        }, 3);
      }
      case "remote.ask.p50_us": {
        // Traced (bench/remote_traced.ts): the asks are made inside a span, as in a traced
        // program (one span of a training step around its asks), so each envelope carries the
        // trace context and each turn is a span under it. `ACTORS_BENCH_SPANS=per-ask` makes a
        // span of the caller's own around every ask instead (Deno's cost of the caller's spans).
        const spans = Deno.env.get("ACTORS_BENCH_SPANS");
        const tracer = spans === "1" || spans === "per-ask" ? trace.getTracer("bench") : undefined;
        const ask = (i: number) =>
          tracer === undefined || spans !== "per-ask"
            ? sink.ask("echo", i)
            : tracer.startActiveSpan(
              "ask",
              (span) => sink.ask("echo", i).finally(() => span.end()),
            );
        const measure = async (): Promise<Measurement> => {
          for (let i = 0; i < 2_000; i++) await ask(i);
          const samples: number[] = [];
          for (let i = 0; i < 5_000; i++) {
            const t = performance.now();
            await ask(i);
            samples.push((performance.now() - t) * 1_000);
          }
          return { value: median(samples), unit: "µs", samples: [median(samples)] };
        };
        if (tracer === undefined || spans === "per-ask") return await measure();
        return await tracer.startActiveSpan("asks", async (span) => {
          try {
            return await measure();
          } finally {
            span.end();
          }
        });
      }
      case "remote.ask.concurrent": {
        const count = 50_000;
        return await rate(count, () => inFlight(count, 256, (i) => sink.ask("echo", i)), 3);
      }
    }
    throw new Error(`unknown figure ${figure}`);
  } finally {
    await system.shutdown();
  }
}

async function peer(): Promise<Measurement> {
  children.push(
    await startReady([
      "run",
      "-A",
      new URL("./raw_nats_peer.ts", import.meta.url).pathname,
      server.url,
    ], "raw"),
  );
  const nc = await connect({ servers: server.url });
  const payload = new Uint8Array(16);
  try {
    switch (figure) {
      case "remote.tell": {
        const count = 1_000_000;
        return await rate(count, async () => {
          await nc.request("bench.reset", new Uint8Array(0), { timeout: 10_000 });
          for (let i = 0; i < count; i++) {
            nc.publish("bench.tell", payload);
            if ((i & 8191) === 8191) await new Promise((resolve) => setTimeout(resolve, 0));
          }
          const seen = Number(new TextDecoder().decode(
            (await nc.request("bench.done", new Uint8Array(0), { timeout: 60_000 })).data,
          ));
          if (seen !== count) throw new Error(`raw NATS lost messages: ${seen} != ${count}`);
        }, 3);
      }
      case "remote.tell.vs_batched": {
        // What a framework that batches could come near: the same values, each
        // encoded with the same MessagePack library, 128 to a publish.
        const count = 1_000_000;
        const packr = new Packr({ useRecords: false });
        return await rate(count, async () => {
          await nc.request("bench.reset", new Uint8Array(0), { timeout: 10_000 });
          const parts: Uint8Array[] = [];
          for (let i = 0; i < count; i++) {
            parts.push(packr.pack(i));
            if (parts.length === BATCH_VALUES) {
              nc.publish("bench.batch", concat(parts));
              parts.length = 0;
            }
            if ((i & 8191) === 8191) await new Promise((resolve) => setTimeout(resolve, 0));
          }
          if (parts.length > 0) nc.publish("bench.batch", concat(parts));
          const seen = Number(new TextDecoder().decode(
            (await nc.request("bench.done", new Uint8Array(0), { timeout: 60_000 })).data,
          ));
          if (seen !== count) throw new Error(`raw NATS lost values: ${seen} != ${count}`);
        }, 3);
      }
      case "remote.ask.p50_us": {
        for (let i = 0; i < 2_000; i++) await nc.request("bench.echo", payload, { timeout: 5_000 });
        const samples: number[] = [];
        for (let i = 0; i < 5_000; i++) {
          const t = performance.now();
          await nc.request("bench.echo", payload, { timeout: 5_000 });
          samples.push((performance.now() - t) * 1_000);
        }
        return { value: median(samples), unit: "µs", samples: [median(samples)] };
      }
      case "remote.ask.concurrent": {
        const count = 50_000;
        return await rate(
          count,
          () => inFlight(count, 256, () => nc.request("bench.echo", payload, { timeout: 10_000 })),
          3,
        );
      }
    }
    throw new Error(`no peer for ${figure}`);
  } finally {
    await nc.close();
  }
}

/** Runs `count` calls with at most `width` in flight. */
async function inFlight(
  count: number,
  width: number,
  call: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

try {
  report(side === "peer" ? await peer() : await ours());
} finally {
  for (const child of children) await stop(child);
  await server.stop();
}
