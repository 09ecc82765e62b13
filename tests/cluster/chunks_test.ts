/**
 * Chunked envelopes, tested with bytes: a peer feeds frames 8 to 12 to one
 * host's remoting and reads what it sends back (docs/PROTOCOL.md, "Chunked
 * envelopes").
 */

import assert from "node:assert/strict";
import { type Ask, defineActor, type Tell } from "../../mod.ts";
import { remotingHarness } from "../_helpers/remoting_harness.ts";
import { encodeFrame, type Frame } from "../../cluster/codec.ts";
import { waitFor } from "../_helpers/system.ts";
import { checkClusterOptions } from "../../cluster/options.ts";

const Log = defineActor<
  { put: Tell<unknown>; seen: Ask<void, string[]>; make: Ask<number, Float32Array> },
  string[]
>({
  type: "log",
  init: () => [],
  tells: { put: (s, x) => [...s, describe(x)] },
  asks: {
    seen: (s) => ({ state: s, reply: s }),
    make: (s, n) => ({ state: s, reply: new Float32Array(n).fill(3) }),
  },
});

function describe(x: unknown): string {
  if (!(x instanceof Float32Array)) return String(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  // A view of the reassembly buffer, not a copy of its own.
  const view = x.buffer.byteLength > x.byteLength ? "view" : "copy";
  return `f32:${x.length}:${sum}:${view}`;
}

/** The envelope of a tell of `n` ones to `to`, with its frame 8 and chunks of `chunk` bytes. */
function chunked(to: string, n: number, transfer: number, chunk: number) {
  const bytes = encodeFrame({ kind: "tell", to, name: "put", body: new Float32Array(n).fill(1) });
  const start: Frame = {
    kind: "chunkStart",
    transfer,
    bytes: bytes.byteLength,
    of: "tell",
    target: to,
    // The elements end the frame.
    align: (bytes.byteLength - 4 * n) % 8,
  };
  const chunks: Frame[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += chunk) {
    chunks.push({
      kind: "chunk",
      transfer,
      offset,
      data: bytes.slice(offset, offset + chunk),
    });
  }
  return { start, chunks, bytes: bytes.byteLength };
}

Deno.test("a chunked tell is acknowledged chunk by chunk and delivered in its place among the sender's tells", async () => {
  const h = remotingHarness();
  try {
    const log = h.runtime.spawn(Log as never, undefined, undefined).ref;
    const big = chunked(log.id, 300_000, 7, 500_000);
    h.send({ kind: "tell", to: log.id, name: "put", body: "before" }, big.start);
    h.send({ kind: "tell", to: log.id, name: "put", body: "after" });
    for (const chunk of big.chunks) h.send(chunk);
    h.send({
      kind: "ask",
      to: log.id,
      name: "seen",
      body: undefined,
      correlation: 1,
      timeoutMs: 5_000,
    });
    const out = await h.next(4);
    assert.deepEqual(out.slice(0, 3), [
      { kind: "chunkAck", transfer: 7, bytes: 500_000 },
      { kind: "chunkAck", transfer: 7, bytes: 1_000_000 },
      { kind: "chunkAck", transfer: 7, bytes: big.bytes },
    ]);
    assert.deepEqual(out[3], {
      kind: "reply",
      correlation: 1,
      body: ["before", "f32:300000:300000:view", "after"],
    });
    assert.equal(h.remoting.stats.transfersOpen?.in, 0);
  } finally {
    await h.stop();
  }
});

Deno.test("a lost chunk cancels the transfer at once, and what waited behind it is delivered", async () => {
  const h = remotingHarness();
  try {
    const log = h.runtime.spawn(Log as never, undefined, undefined).ref;
    const big = chunked(log.id, 300_000, 3, 400_000);
    h.send(big.start, { kind: "tell", to: log.id, name: "put", body: "after" });
    h.send(big.chunks[0]);
    h.send(big.chunks[2]);
    h.send({
      kind: "ask",
      to: log.id,
      name: "seen",
      body: undefined,
      correlation: 1,
      timeoutMs: 5_000,
    });
    const out = await h.next(3);
    assert.deepEqual(out, [
      { kind: "chunkAck", transfer: 3, bytes: 400_000 },
      { kind: "chunkCancel", transfer: 3, reason: "lost-chunk" },
      { kind: "reply", correlation: 1, body: ["after"] },
    ]);
    assert.equal(h.remoting.stats.transfersOpen?.in, 0);
    assert.equal(h.remoting.stats.rejected["chunk-lost-chunk"], 1);
  } finally {
    await h.stop();
  }
});

Deno.test("a sender that is gone mid-transfer leaves nothing behind, and a start over the limit is refused", async () => {
  const h = remotingHarness();
  try {
    const log = h.runtime.spawn(Log as never, undefined, undefined).ref;
    const big = chunked(log.id, 300_000, 1, 400_000);
    h.send(big.start, big.chunks[0]);
    assert.deepEqual(await h.next(1), [{ kind: "chunkAck", transfer: 1, bytes: 400_000 }]);
    assert.equal(h.remoting.stats.transfersOpen?.in, 1);
    h.remoting.hostGone("peer", "it was lost");
    assert.equal(h.remoting.stats.transfersOpen?.in, 0);
    h.send({ ...big.start, transfer: 2, bytes: 2 ** 40 } as Frame);
    assert.deepEqual(await h.next(1), [{ kind: "chunkCancel", transfer: 2, reason: "too-large" }]);
  } finally {
    await h.stop();
  }
});

Deno.test("a large reply goes as frame 8 and chunks, a window at a time, and nothing of it is kept once acknowledged", async () => {
  const h = remotingHarness();
  try {
    const log = h.runtime.spawn(Log as never, undefined, undefined).ref;
    const n = 3_000_000; // 12 MB: more than the window of 8 chunks of about 1 MiB
    h.send({ kind: "ask", to: log.id, name: "make", body: n, correlation: 5, timeoutMs: 5_000 });
    const [start, ...window] = await h.next(9);
    assert.equal(start.kind, "chunkStart");
    const s = start as Extract<Frame, { kind: "chunkStart" }>;
    assert.deepEqual([s.of, s.target], ["reply", 5]);
    assert.ok(window.every((f) => f.kind === "chunk"));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.out.length, 0, "no chunk past the window without credit");
    const received: Uint8Array[] = [];
    let got = 0;
    let pending = window as Extract<Frame, { kind: "chunk" }>[];
    while (got < s.bytes) {
      for (const chunk of pending) {
        assert.equal(chunk.offset, got);
        received.push(chunk.data);
        got += chunk.data.byteLength;
        h.send({ kind: "chunkAck", transfer: s.transfer, bytes: got });
      }
      if (got < s.bytes) pending = await h.next(1) as typeof pending;
    }
    await waitFor(() => h.remoting.stats.transfersOpen?.out === 0, "the last credit");
    const whole = new Uint8Array(got);
    let at = 0;
    for (const part of received) whole.set(part, (at += part.byteLength) - part.byteLength);
    assert.deepEqual(
      whole,
      encodeFrame({ kind: "reply", correlation: 5, body: new Float32Array(n).fill(3) }),
    );
  } finally {
    await h.stop();
  }
});

Deno.test("a cancel from the receiver fails a large ask at once with transfer_failed, and its dead letter names it", async () => {
  const h = remotingHarness();
  try {
    const ref = { id: "peer/1", hostId: "peer", type: "log" } as never;
    const asked = h.remoting.ask(ref, "see", new Float32Array(1_000_000), { timeoutMs: 60_000 });
    const [start] = await h.next(1);
    const s = start as Extract<Frame, { kind: "chunkStart" }>;
    assert.deepEqual([s.kind, s.of, s.target], ["chunkStart", "ask", "peer/1"]);
    h.send({ kind: "chunkCancel", transfer: s.transfer, reason: "lost-chunk" });
    await assert.rejects(asked, (err: Error & { code?: string }) => err.code === "transfer_failed");
    const [dead] = h.runtime.deadLetters.recent();
    assert.deepEqual([dead.reason, dead.messageName, dead.kind], ["transfer-failed", "see", "ask"]);
    assert.equal(h.remoting.stats.transfersOpen?.out, 0);
  } finally {
    await h.stop();
  }
});

Deno.test("the message limit is an option: a value that is not a positive integer below 2^32 is refused", () => {
  for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
    assert.throws(
      () =>
        checkClusterOptions({ name: "c", servers: "nats://127.0.0.1:4222", maxMessageBytes: bad }),
      (err: Error & { code?: string }) => err.code === "invalid_option",
    );
  }
  checkClusterOptions({
    name: "c",
    servers: "nats://127.0.0.1:4222",
    maxMessageBytes: 2 ** 32 - 1,
  });
});
