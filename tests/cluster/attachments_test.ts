/**
 * Frames with buffers moved beside them: given-up arrays are written as
 * placeholders only when the transport moves buffers, and a placeholder
 * without its buffer (from a peer that has none to give) is refused.
 */

import assert from "node:assert/strict";
import {
  BatchWriter,
  buffersOf,
  decodeBatch,
  decodeBatchSteps,
  encodeFrame,
  type Frame,
} from "../../cluster/codec.ts";
import { transfer } from "../../mod.ts";
import { runAtOnce } from "../../base/slices.ts";

function decode(bytes: Uint8Array, buffers?: readonly ArrayBuffer[]) {
  const frames: Frame[] = [];
  const rejects: string[] = [];
  runAtOnce(decodeBatchSteps(bytes, 1 << 20, (s) => s, {
    sender: () => {},
    frame: (f) => frames.push(f),
    reject: (reason) => rejects.push(reason),
  }, buffers));
  return { frames, rejects };
}

function batchOf(frame: Uint8Array): Uint8Array {
  const writer = new BatchWriter("h");
  writer.add(frame);
  return writer.bytes();
}

Deno.test("a given-up array leaves the frame's bytes and is named by the frame's buffers", () => {
  const t = transfer(new Float32Array(1024).fill(7));
  const frame = encodeFrame({ kind: "tell", to: "h/1", name: "take", body: { t } }, true);
  assert.ok(frame.byteLength < 100, `${frame.byteLength} bytes: the floats are not in them`);
  const buffers = buffersOf(frame);
  assert.deepEqual(buffers, [t.buffer]);
  const { frames, rejects } = decode(batchOf(frame), buffers);
  assert.deepEqual(rejects, []);
  const body = (frames[0] as { body: { t: Float32Array } }).body;
  assert.ok(body.t instanceof Float32Array);
  assert.equal(body.t.buffer, t.buffer, "a view of the very buffer, no copy");
});

Deno.test("without a transport that moves buffers, a given-up array is encoded in place", () => {
  const t = transfer(new Float32Array(16).fill(1));
  const frame = encodeFrame({ kind: "tell", to: "h/1", name: "take", body: t });
  assert.equal(buffersOf(frame), undefined);
  const { frames } = decode(batchOf(frame));
  assert.deepEqual((frames[0] as { body: Float32Array }).body, new Float32Array(16).fill(1));
});

Deno.test("a placeholder where no buffers travel is an unknown extension, and one without its buffer is undecodable", () => {
  const moved = encodeFrame(
    { kind: "tell", to: "h/1", name: "take", body: transfer(new Uint8Array(8)) },
    true,
  );
  const writer = new BatchWriter("h");
  writer.add(encodeFrame({ kind: "tell", to: "h/1", name: "ok", body: 1 }));
  writer.add(moved);
  let rejects: string[] = [];
  let count = 0;
  decodeBatch(writer.bytes(), 1 << 20, (s) => s, {
    sender: () => {},
    frame: () => count++,
    reject: (reason) => rejects.push(reason),
  });
  assert.equal(count, 1);
  assert.deepEqual(rejects, ["unknown-extension"], "over NATS the extension does not exist");
  rejects = [];
  const wrongSize = decode(batchOf(moved), [new ArrayBuffer(4)]);
  assert.deepEqual(wrongSize.rejects, ["undecodable"], "a view that does not fit its buffer");
});
