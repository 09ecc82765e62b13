/**
 * The golden vectors of `docs/protocol-vectors/` hold for this codec in both
 * directions: each value encodes to its bytes, and its bytes decode to it;
 * each attack is refused for its reason.
 */

import assert from "node:assert/strict";
import {
  BatchWriter,
  decodeBatch,
  decodeEnvelope,
  decodeValue,
  encodeFrame,
  type Frame,
  packValue,
  type RejectReason,
} from "../../cluster/codec.ts";
import { ValueRefusedError } from "../../cluster/errors.ts";
import { chunkBatch } from "../../cluster/_chunk_batch.ts";
import { fromHex, fromTagged, toHex, toTagged, vectorRefs } from "../../tools/_vector_values.ts";

const dir = new URL("../../docs/protocol-vectors/", import.meta.url);

interface Vector {
  readonly name: string;
  readonly hex: string;
  readonly value?: unknown;
  readonly frame?: unknown;
}

async function vectors<T = Vector>(file: string): Promise<T[]> {
  return JSON.parse(await Deno.readTextFile(new URL(file, dir)));
}

function decodeFrames(bytes: Uint8Array) {
  const frames: Frame[] = [];
  const rejects: RejectReason[] = [];
  let sender: string | undefined;
  decodeBatch(bytes, 1 << 20, vectorRefs, {
    sender: (id) => sender = id,
    frame: (f) => frames.push(f),
    reject: (reason) => rejects.push(reason),
  });
  return { frames, rejects, sender };
}

for (const file of ["values.json", "extensions.json", "control.json"]) {
  Deno.test(`${file}: every value encodes to its bytes and its bytes decode to it`, async () => {
    for (const v of await vectors(file)) {
      assert.equal(toHex(packValue(fromTagged(v.value))), v.hex, `encoding ${v.name}`);
      assert.deepEqual(toTagged(decodeValue(fromHex(v.hex), vectorRefs)), v.value, v.name);
    }
  });
}

Deno.test("wide_integers.json: what a peer may write decodes to the value, which this codec writes its own way", async () => {
  for (const v of await vectors("wide_integers.json")) {
    assert.deepEqual(toTagged(decodeValue(fromHex(v.hex), vectorRefs)), v.value, v.name);
    const own = packValue(fromTagged(v.value));
    assert.notEqual(toHex(own), v.hex, `${v.name}: not a form this codec writes`);
    assert.deepEqual(toTagged(decodeValue(own, vectorRefs)), v.value, v.name);
  }
});

Deno.test("frames.json: every frame kind encodes to its bytes, and its bytes in a batch decode to it", async () => {
  for (const v of await vectors("frames.json")) {
    const frame = fromTagged(v.frame) as Frame;
    assert.equal(toHex(encodeFrame(frame)), v.hex, `encoding ${v.name}`);
    const batch = new BatchWriter("h1");
    batch.add(fromHex(v.hex));
    const { frames, rejects } = decodeFrames(batch.bytes());
    assert.deepEqual(rejects, [], v.name);
    assert.deepEqual(frames.map(toTagged), [v.frame], v.name);
  }
});

Deno.test("batches.json: a batch's header and frames", async () => {
  const all = await vectors<Vector & { sender: string; frames: unknown[] }>("batches.json");
  for (const v of all) {
    const batch = new BatchWriter(v.sender);
    for (const f of v.frames) batch.add(encodeFrame(fromTagged(f) as Frame));
    assert.equal(toHex(batch.bytes()), v.hex, v.name);
    const { frames, rejects, sender } = decodeFrames(fromHex(v.hex));
    assert.equal(sender, v.sender);
    assert.deepEqual(rejects, []);
    assert.deepEqual(frames.map(toTagged), v.frames);
  }
});

interface Refusal extends Vector {
  readonly as: "value" | "batch";
  readonly refuse?: string;
  readonly rejects?: string[];
  readonly frames?: number;
}

Deno.test("refusals.json: every attack and malformed value is refused for its reason", async () => {
  const all = await vectors<Refusal>("refusals.json");
  assert.ok(all.length >= 15);
  for (const v of all) {
    if (v.as === "value") {
      assert.throws(
        () => decodeValue(fromHex(v.hex), vectorRefs),
        (err: unknown) =>
          ValueRefusedError.is(err) && (err as ValueRefusedError).reason === v.refuse,
        v.name,
      );
    } else {
      const { frames, rejects } = decodeFrames(fromHex(v.hex));
      assert.deepEqual(rejects, v.rejects, v.name);
      assert.equal(frames.length, v.frames, v.name);
    }
  }
});

interface ChunkedVector {
  readonly name: string;
  readonly sender: string;
  readonly start: string;
  readonly startFrame: unknown;
  readonly chunks: readonly string[];
  readonly acks: readonly unknown[];
  readonly envelope: string;
  readonly frame: unknown;
}

Deno.test("chunked.json: frame 8 in a batch, chunk batches that make up the envelope, and the frame it decodes to", async () => {
  for (const v of await vectors<ChunkedVector>("chunked.json")) {
    const start = decodeFrames(fromHex(v.start));
    assert.deepEqual([start.sender, start.frames.map(toTagged)], [v.sender, [v.startFrame]]);
    const envelope = fromHex(v.envelope);
    const header = fromHex(v.start).subarray(0, 2 + v.sender.length);
    let offset = 0;
    for (const hex of v.chunks) {
      const { frames, rejects, sender } = decodeFrames(fromHex(hex));
      assert.deepEqual([sender, rejects, frames.length], [v.sender, [], 1], v.name);
      const chunk = frames[0] as Extract<Frame, { kind: "chunk" }>;
      assert.deepEqual([chunk.kind, chunk.offset], ["chunk", offset]);
      assert.deepEqual(chunk.data, envelope.subarray(offset, offset + chunk.data.byteLength));
      const piece = chunk.data;
      const built = chunkBatch(
        header,
        0,
        offset,
        piece.byteLength,
        (into, at) => into.set(piece, at),
      );
      assert.equal(toHex(built), hex, "the chunk batch as the reference writes it");
      offset += chunk.data.byteLength;
    }
    assert.equal(offset, envelope.byteLength);
    assert.equal(v.acks.length, v.chunks.length);
    const frame = decodeEnvelope(envelope, vectorRefs);
    assert.deepEqual(toTagged(frame), v.frame, v.name);
    assert.equal(toHex(encodeFrame(fromTagged(v.frame) as Frame)), v.envelope);
  }
});
