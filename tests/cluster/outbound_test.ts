/**
 * The outbound side, tested with a transport that keeps what is published:
 * frames are encoded straight into the batch of their host, a frame that
 * does not fit goes into the next batch, one that cannot be sent leaves
 * nothing behind, a value that sends while it is written does not corrupt
 * the batch, and undelivered batches report their envelopes as they were sent.
 */

import assert from "node:assert/strict";
import { decodeBatch, encodeFrame, type Frame } from "../../cluster/codec.ts";
import { Outbound, type SentEnvelope, type UnsentReason } from "../../cluster/outbound.ts";
import { Subjects } from "../../transport/subjects.ts";
import { systemClock } from "../../base/clock.ts";
import { PayloadTooLargeError } from "../../transport/errors.ts";
import { UnencodableValueError } from "../../cluster/errors.ts";
import type { Transport } from "../../transport/transport.ts";
import { DEFAULT_CHUNK_POLICY } from "../../cluster/chunks_out.ts";

interface Published {
  readonly subject: string;
  readonly frames: Frame[];
  readonly bytes: number;
  /** The bytes as published (a view the transport may hold on to). */
  readonly data: Uint8Array;
}

function framesOf(data: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  decodeBatch(data, 1 << 30, (s) => s, {
    sender: () => {},
    frame: (f) => frames.push(f),
    reject: (reason, detail) => assert.fail(`a batch the codec refuses: ${reason} ${detail}`),
  });
  return frames;
}

function harness(maxPayloadBytes = 1 << 20, maxMessageBytes = 2 ** 31) {
  const published: Published[] = [];
  const unsent: { host: string; envelopes: readonly SentEnvelope[]; reason: UnsentReason }[] = [];
  let connected = true;
  const transport = {
    maxPayloadBytes,
    get status() {
      return connected ? "connected" : "disconnected";
    },
    publish(subject: string, data: Uint8Array) {
      if (!connected) throw new Error("disconnected");
      published.push({ subject, frames: framesOf(data), bytes: data.byteLength, data });
    },
  } as unknown as Transport;
  const outbound = new Outbound(
    transport,
    new Subjects("c", "actors", "me"),
    "me",
    systemClock,
    (host, envelopes, reason) => unsent.push({ host, envelopes, reason }),
    () => {},
    { ...DEFAULT_CHUNK_POLICY, maxMessageBytes },
  );
  return {
    outbound,
    published,
    unsent,
    disconnect: () => connected = false,
    reconnect: () => connected = true,
    /** Waits for the microtask that flushes. */
    flushed: () => new Promise<void>((resolve) => setTimeout(resolve, 0)),
  };
}

const tell = (to: string, body: unknown, name = "put"): Frame => ({ kind: "tell", to, name, body });

Deno.test("frames to one host in one microtask go out as one batch, in order", async () => {
  const h = harness();
  for (let i = 0; i < 1000; i++) {
    assert.equal(h.outbound.enqueueFrame("b", tell("b/1", i), "put", "box"), undefined);
  }
  h.outbound.enqueueFrame("c", { kind: "reply", correlation: 9, body: "ok" }, "reply");
  await h.flushed();
  assert.deepEqual(h.published.map((p) => [p.subject, p.frames.length]), [
    ["actors.c.me.to.b", 1000],
    ["actors.c.me.to.c", 1],
  ]);
  assert.deepEqual(h.published[0].frames.map((f) => (f as { body: number }).body), [
    ...Array(1000).keys(),
  ]);
});

Deno.test("a frame that does not fit goes into the next batch; one larger than a batch goes as frame 8 and chunks; one over the message limit is refused and leaves nothing", async () => {
  const h = harness(4096, 8192);
  const body = "x".repeat(1000);
  for (let i = 0; i < 10; i++) {
    assert.equal(h.outbound.enqueueFrame("b", tell("b/1", body), "put"), undefined);
  }
  assert.equal(h.outbound.enqueueFrame("b", tell("b/1", "y".repeat(5000)), "put"), undefined);
  await h.flushed();
  assert.deepEqual(h.published.map((p) => p.frames.map((f) => f.kind).join()), [
    "tell,tell,tell,tell",
    "tell,tell,tell,tell",
    "tell,tell,chunkStart",
    "chunk",
    "chunk",
  ]);
  assert.ok(h.published.every((p) => p.bytes <= 4096));
  // Over the message limit: refused, and it opens no batch.
  assert.ok(
    h.outbound.enqueueFrame("d", tell("d/1", "z".repeat(10_000)), "put") instanceof
      PayloadTooLargeError,
  );
  await h.flushed();
  assert.equal(h.published.length, 5);
});

Deno.test("a value that cannot be encoded is refused and the batch goes on without it", async () => {
  const h = harness();
  h.outbound.enqueueFrame("b", tell("b/1", 1), "put");
  const refused = h.outbound.enqueueFrame("b", tell("b/1", { f: Symbol("no") }), "put");
  assert.ok(UnencodableValueError.is(refused), String(refused));
  h.outbound.enqueueFrame("b", tell("b/1", 2), "put");
  await h.flushed();
  assert.deepEqual(h.published[0].frames, [tell("b/1", 1), tell("b/1", 2)]);
});

Deno.test("a value whose toJSON sends to the host being written to comes out whole, after it", async () => {
  const h = harness();
  const sneaky = {
    toJSON() {
      h.outbound.enqueueFrame("b", tell("b/2", "inner tell"), "put");
      h.outbound.enqueue("b", encodeFrame(tell("b/3", "inner bytes")), "tell", "b/3", "put", 0);
      return { v: 1 };
    },
  };
  class Holder {
    constructor(readonly inner: unknown) {}
    toJSON() {
      return (this.inner as { toJSON(): unknown }).toJSON();
    }
  }
  h.outbound.enqueueFrame("b", tell("b/1", "before"), "put");
  assert.equal(h.outbound.enqueueFrame("b", tell("b/1", new Holder(sneaky)), "put"), undefined);
  h.outbound.enqueueFrame("b", tell("b/1", "after"), "put");
  await h.flushed();
  assert.deepEqual(h.published[0].frames, [
    tell("b/1", "before"),
    tell("b/1", { v: 1 }),
    tell("b/2", "inner tell"),
    tell("b/3", "inner bytes"),
    tell("b/1", "after"),
  ]);
});

Deno.test("a bounced batch reports its tells and asks with the payloads that were sent", async () => {
  const h = harness();
  const payload = { big: [1, 2, 3] };
  h.outbound.enqueueFrame("b", tell("b/1", payload), "put", "box");
  h.outbound.enqueueFrame("b", tell("b/1", 2), "put", "box");
  h.outbound.enqueueFrame("b", tell("b/2", 3, "add"), "add", "counter");
  const ask = encodeFrame({
    kind: "ask",
    to: "b/1",
    name: "get",
    body: undefined,
    correlation: 42,
    timeoutMs: 1000,
  });
  h.outbound.enqueue("b", ask, "ask", "b/1", "get", undefined, 42, "box");
  h.outbound.enqueue("b", ask, "ask", "b/1", "get", 5, 43, "box");
  h.outbound.enqueue("b", ask, "ask", "b/2", "get", 6, 44, "box");
  h.outbound.enqueueFrame("b", tell("b/1", 4), "put", "box");
  h.outbound.enqueueFrame("b", { kind: "reply", correlation: 1, body: 0 }, "reply");
  await h.flushed();
  h.outbound.bounced(0);
  assert.equal(h.unsent.length, 1);
  const { host, envelopes, reason } = h.unsent[0];
  assert.equal(host, "b");
  assert.equal(reason, "host-unreachable");
  assert.equal(envelopes[0].payload, payload);
  assert.deepEqual(envelopes.map((e) => [e.kind, e.to, e.name, e.payload, e.correlation, e.type]), [
    ["tell", "b/1", "put", payload, undefined, "box"],
    ["tell", "b/1", "put", 2, undefined, "box"],
    ["tell", "b/2", "add", 3, undefined, "counter"],
    ["ask", "b/1", "get", undefined, 42, "box"],
    ["ask", "b/1", "get", 5, 43, "box"],
    ["ask", "b/2", "get", 6, 44, "box"],
    ["tell", "b/1", "put", 4, undefined, "box"],
  ]);
});

Deno.test("a batch that cannot be published is reported as disconnected", async () => {
  const h = harness();
  h.disconnect();
  h.outbound.enqueueFrame("b", tell("b/1", 1), "put", "box");
  await h.flushed();
  assert.deepEqual(h.published, []);
  assert.deepEqual(h.unsent.map((u) => [u.host, u.reason, u.envelopes.length]), [
    ["b", "disconnected", 1],
  ]);
});

Deno.test("a batch that was published is never written again by the batches after it", async () => {
  const h = harness();
  for (let round = 0; round < 300; round++) {
    h.outbound.enqueueFrame("b", tell("b/1", round), "put");
    if (round % 7 === 0) h.outbound.enqueueFrame("b", tell("b/1", "x".repeat(round * 50)), "put");
    await h.flushed();
  }
  assert.equal(h.published.length, 300);
  for (const [round, p] of h.published.entries()) {
    assert.deepEqual(framesOf(p.data), p.frames, `batch ${round} changed after it was published`);
    assert.equal((p.frames[0] as { body: number }).body, round);
  }
});

Deno.test("a bounce reports its own batch once; batches with no tell or ask report none", async () => {
  const h = harness();
  h.outbound.enqueueFrame("b", tell("b/1", "first"), "put", "box");
  await h.flushed();
  h.outbound.enqueueFrame("b", { kind: "reply", correlation: 3, body: 1 }, "reply");
  await h.flushed();
  h.outbound.enqueueFrame("c", tell("c/1", "second"), "put", "box");
  await h.flushed();
  assert.deepEqual(h.published.map((p) => p.subject), [
    "actors.c.me.to.b",
    "actors.c.me.to.b",
    "actors.c.me.to.c",
  ]);
  h.outbound.bounced(2);
  h.outbound.bounced(2);
  h.outbound.bounced(1);
  h.outbound.bounced(99);
  assert.deepEqual(h.unsent.map((u) => [u.host, u.envelopes.map((e) => e.payload)]), [
    ["c", ["second"]],
    ["b", []],
  ]);
});

Deno.test("what is sent while a failed batch is reported goes out in the next batch", async () => {
  const h = harness();
  h.disconnect();
  h.outbound.enqueueFrame("b", tell("b/1", 1), "put");
  const reconnect = h.unsent.push.bind(h.unsent);
  h.unsent.push = (...items) => {
    h.reconnect();
    h.outbound.enqueueFrame("b", tell("b/1", "while reporting"), "put");
    return reconnect(...items);
  };
  await h.flushed();
  await h.flushed();
  assert.deepEqual(h.published.map((p) => p.frames), [[tell("b/1", "while reporting")]]);
});

Deno.test("a writer left by a host that went quiet serves the next host without writing over what it published", async () => {
  const h = harness();
  h.outbound.enqueueFrame("b", tell("b/1", "to b"), "put");
  await h.flushed();
  const toB = h.published[0].data.slice();
  // A flush with nothing for b forgets it; its writer is kept for the next host.
  h.outbound.enqueueFrame("c", tell("c/1", "first to c"), "put");
  await h.flushed();
  h.outbound.enqueueFrame("d", tell("d/1", "to d"), "put");
  await h.flushed();
  const [b, c, d] = h.published;
  assert.equal(d.data.buffer, b.data.buffer, "the writer of b was taken up again");
  assert.deepEqual(b.data, toB, "what went to b was not written over");
  assert.deepEqual(
    [b, c, d].map((p) => p.frames),
    [[tell("b/1", "to b")], [tell("c/1", "first to c")], [tell("d/1", "to d")]],
  );
});

Deno.test("a host that sends one small frame to each of many peers does not give each a full chunk", async () => {
  const h = harness();
  for (let i = 0; i < 100; i++) h.outbound.enqueueFrame(`p${i}`, tell(`p${i}/1`, i), "put");
  await h.flushed();
  assert.equal(h.published.length, 100);
  const buffers = new Set(h.published.map((p) => p.data.buffer));
  let allocated = 0;
  for (const buffer of buffers) allocated += buffer.byteLength;
  assert.ok(
    allocated <= 100 * 2048,
    `${allocated} bytes of batch buffers for 100 one-frame batches`,
  );
});
