import assert from "node:assert/strict";
import {
  BatchWriter,
  decodeBatch,
  decodeBatchSteps,
  encodeFrame,
  type Frame,
  packValue,
  PROTOCOL_VERSION,
  rebuildError,
  unpackValue,
} from "../../cluster/codec.ts";
import { UnknownActorError } from "../../mod.ts";
import { type DecodeBounds, DEFAULT_DECODE_BOUNDS } from "../../cluster/decode_bounds.ts";

function decodeAll(bytes: Uint8Array, max = 1 << 20) {
  const frames: Frame[] = [];
  const rejects: string[] = [];
  let sender = "";
  decodeBatch(bytes, max, (s) => ({ resolved: s.$ref }), {
    sender: (id) => sender = id,
    frame: (f) => frames.push(f),
    reject: (reason) => rejects.push(reason),
  });
  return { frames, rejects, sender };
}

Deno.test("every frame kind survives a batch round trip", () => {
  const frames: Frame[] = [
    { kind: "tell", to: "h/1", name: "add", body: { n: 1, tags: ["a"] } },
    { kind: "ask", to: "h/2", name: "get", body: undefined, correlation: 7, timeoutMs: 5000 },
    { kind: "reply", correlation: 7, body: 42 },
    {
      kind: "replyError",
      correlation: 8,
      error: { name: "UnknownActorError", message: "no", code: "unknown_actor" },
    },
    { kind: "undeliverable", to: "h/3", name: "add", reason: "unknown-actor", body: 1 },
    {
      kind: "undeliverableMany",
      to: "h/3",
      name: "add",
      reason: "mailbox-full",
      count: 70_000,
      body: 1,
      type: "counter",
    },
    {
      kind: "undeliverableMany",
      to: "h/4",
      name: "add",
      reason: "unknown-actor",
      count: 2,
      body: 1,
    },
  ];
  const writer = new BatchWriter("sender-1");
  for (const f of frames) writer.add(encodeFrame(f));
  const { frames: back, rejects, sender } = decodeAll(writer.bytes());
  assert.equal(sender, "sender-1");
  assert.deepEqual(rejects, []);
  assert.deepEqual(back, frames);
});

Deno.test("a frame encoded into a batch is the same bytes as the frame encoded alone", () => {
  const frames: Frame[] = [
    { kind: "tell", to: "h/1", name: "add", body: { n: 1, tags: ["a", 2n, new Date(7)] } },
    { kind: "tell", to: "h/é", name: "ajouté", body: undefined },
    { kind: "ask", to: "h/2", name: "get", body: [1.5], correlation: 2 ** 40, timeoutMs: 5000 },
    { kind: "reply", correlation: 0xffff_ffff, body: new Map([[1, "one"]]) },
    { kind: "reply", correlation: 7, body: null },
    { kind: "undeliverable", to: "h/3", name: "add", reason: "unknown-actor", body: 1 },
  ];
  const alone = new BatchWriter("s");
  const inPlace = new BatchWriter("s");
  for (const f of frames) {
    alone.add(encodeFrame(f));
    const size = inPlace.addFrame(f);
    assert.equal(size, encodeFrame(f).byteLength);
  }
  assert.deepEqual(inPlace.bytes(), alone.bytes());
});

Deno.test("a frame that cannot be encoded leaves the batch as it was", () => {
  const writer = new BatchWriter("s");
  writer.addFrame({ kind: "tell", to: "h/1", name: "a", body: 1 });
  const before = writer.bytes().slice();
  const deep: unknown[] = [];
  let inner = deep;
  for (let i = 0; i < 100; i++) inner = (inner[0] = []) as unknown[];
  assert.throws(() => writer.addFrame({ kind: "tell", to: "h/1", name: "b", body: deep }));
  assert.throws(() => writer.addFrame({ kind: "reply", correlation: 1, body: Symbol("x") }));
  assert.deepEqual(writer.bytes(), before);
});

Deno.test("tells read without a frame object give the same frames, refusals and bounds", () => {
  // A sink that takes tells apart, and one that takes every frame as a Frame: same story.
  const decodeBoth = (bytes: Uint8Array, bounds: DecodeBounds) => {
    const log = (fast: boolean) => {
      const out: unknown[] = [];
      decodeBatch(bytes, 1 << 20, (s) => s, {
        sender: (id) => out.push(["sender", id]),
        frame: (f) => out.push(f),
        reject: (reason, detail) => out.push(["reject", reason, detail]),
        ...(fast
          ? {
            tell: (to: string, name: string, body: unknown) =>
              out.push({ kind: "tell", to, name, body }),
          }
          : {}),
      }, bounds);
      return out;
    };
    assert.deepEqual(log(true), log(false), `bytes ${Array.from(bytes).join(",")}`);
  };
  const frames: unknown[][] = [
    [0, "h/1", "add", 1],
    [0, "h/1", "add", { deep: [[[1]]] }],
    [0, 7, "add", 1],
    [0, "h/1", ["x"], 1],
    [0, "h/1", "add"],
    [0, "h/1", "add", 1, 2],
    [1, "h/2", "get", null, 3, 1000],
    [0, "h/é", "ajouté", "x".repeat(40)],
  ];
  const boundsList: DecodeBounds[] = [
    DEFAULT_DECODE_BOUNDS,
    { maxDepth: 0, maxContainerElements: 10, maxBatchElements: 100 },
    { maxDepth: 1, maxContainerElements: 10, maxBatchElements: 100 },
    { maxDepth: 2, maxContainerElements: 3, maxBatchElements: 100 },
    { maxDepth: 64, maxContainerElements: 4, maxBatchElements: 100 },
    ...Array.from({ length: 12 }, (_, n) => ({
      maxDepth: 64,
      maxContainerElements: 100,
      maxBatchElements: n + 1,
    })),
  ];
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 400; round++) {
    const writer = new BatchWriter("s");
    for (let i = 0; i < 1 + random() * 6; i++) {
      writer.add(packValue(frames[Math.floor(random() * frames.length)]));
    }
    const bytes = writer.bytes().slice();
    // The batch as it is, cut short, and with a byte changed.
    const variants = [bytes, bytes.slice(0, 3 + Math.floor(random() * (bytes.length - 3)))];
    const changed = bytes.slice();
    changed[3 + Math.floor(random() * (bytes.length - 3))] = Math.floor(random() * 256);
    variants.push(changed);
    for (const variant of variants) {
      for (const bounds of boundsList) decodeBoth(variant, bounds);
    }
  }
});

Deno.test("typed arrays, bigints and dates keep their types on the wire", () => {
  const value = {
    f: new Float32Array([1.5]),
    u: new Uint8Array([1, 2]),
    big: 2n ** 70n,
    when: new Date(5),
  };
  const back = unpackValue(packValue(value), () => undefined) as typeof value;
  assert.ok(back.f instanceof Float32Array);
  assert.ok(back.u instanceof Uint8Array);
  assert.equal(back.big, 2n ** 70n);
  assert.equal(back.when.getTime(), 5);
});

Deno.test("frames of unknown kinds or shapes are refused as malformed, the rest handled", () => {
  const writer = new BatchWriter("s");
  writer.add(packValue([9, "x"]));
  writer.add(packValue([0, 5, "name", 1]));
  writer.add(packValue({ not: "an array" }));
  writer.add(encodeFrame({ kind: "reply", correlation: 1, body: "ok" }));
  const { frames, rejects } = decodeAll(writer.bytes());
  assert.deepEqual(rejects, ["malformed", "malformed", "malformed"]);
  assert.deepEqual(frames, [{ kind: "reply", correlation: 1, body: "ok" }]);
});

Deno.test("a batch with another protocol version or above the size limit is refused whole", () => {
  const writer = new BatchWriter("s");
  writer.add(encodeFrame({ kind: "reply", correlation: 1, body: 1 }));
  const bytes = writer.bytes().slice();
  assert.equal(bytes[0], PROTOCOL_VERSION);
  bytes[0] = 1;
  assert.deepEqual(decodeAll(bytes).rejects, ["unknown-version"]);
  assert.deepEqual(decodeAll(writer.bytes(), 4).rejects, ["too-large"]);
  assert.deepEqual(decodeAll(writer.bytes().subarray(0, writer.size - 1)).rejects, ["truncated"]);
});

Deno.test("a rebuilt error keeps its name, message and code, so is() recognises it", () => {
  const err = rebuildError(
    { name: "UnknownActorError", message: "gone", code: "unknown_actor" },
    "h2",
  );
  assert.ok(UnknownActorError.is(err));
  assert.equal(err.name, "UnknownActorError");
  assert.equal((err as unknown as { remoteHost: string }).remoteHost, "h2");
});

Deno.test("a batch decodes in windows of some 16 KiB that end between frames, to the same frames in order", () => {
  const writer = new BatchWriter("s");
  for (let i = 0; i < 1_000; i++) {
    writer.add(encodeFrame({ kind: "reply", correlation: i, body: [i, "x".repeat(i % 300)] }));
  }
  const frames: Frame[] = [];
  const steps = decodeBatchSteps(writer.bytes(), 1 << 20, () => undefined, {
    sender: () => {},
    frame: (f) => frames.push(f),
    reject: (reason) => assert.fail(reason),
  });
  let pauses = 0;
  let step = steps.next();
  for (; !step.done; step = steps.next()) pauses++;
  assert.equal(step.value, "s");
  assert.ok(pauses >= 3, `${pauses} pauses`);
  assert.equal(frames.length, 1_000);
  assert.deepEqual(
    frames.map((f) => f.kind === "reply" && (f.body as unknown[])[0]),
    frames.map((_, i) => i),
  );
});

Deno.test("frames before a corrupt one in a later window are handled, and it is refused", () => {
  const writer = new BatchWriter("s");
  for (let i = 0; i < 500; i++) {
    writer.add(encodeFrame({ kind: "reply", correlation: i, body: "y".repeat(200) }));
  }
  writer.add(new Uint8Array([0x93, 0x02, 0xc1]));
  writer.add(encodeFrame({ kind: "reply", correlation: 9_999, body: 1 }));
  const { frames, rejects } = decodeAll(writer.bytes());
  assert.deepEqual(
    frames.slice(0, 500).map((f) => f.kind === "reply" && f.correlation),
    Array.from({ length: 500 }, (_, i) => i),
  );
  assert.equal(rejects.length, 1, "the corrupt frame is refused");
});

Deno.test("a frame 7 without a count of at least one is malformed", () => {
  const writer = new BatchWriter("s");
  writer.add(packValue([7, "h/1", "add", "unknown-actor", 0, 1]));
  writer.add(packValue([7, "h/1", "add", "unknown-actor", "2", 1]));
  writer.add(packValue([7, "h/1", "add", "unknown-actor", 2, 1, 5]));
  assert.deepEqual(decodeAll(writer.bytes()).rejects, ["malformed", "malformed", "malformed"]);
});
