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
