/**
 * Warm reassembly buffers: the next envelope of a size just received takes
 * a buffer whose pages were touched on another thread, within memory limits.
 */

import assert from "node:assert/strict";
import { type BufferWarmer, WarmBuffers } from "../../cluster/warm_buffers.ts";
import { ChunksIn } from "../../cluster/chunks_in.ts";
import { DEFAULT_CHUNK_POLICY } from "../../cluster/chunk_policy.ts";
import { createVirtualClock } from "../../testkit/virtual_clock.ts";
import { waitFor } from "../_helpers/system.ts";

const MiB = 1024 * 1024;

/** A warmer that makes each buffer at once, and records the sizes asked. */
function instantWarmer(asked: number[]) {
  return (made: (buffer: ArrayBuffer | number) => void): BufferWarmer => ({
    request: (bytes) => {
      asked.push(bytes);
      made(new ArrayBuffer(bytes));
    },
    end: () => {},
  });
}

Deno.test("the second envelope of a size takes the spare made while the first was received", () => {
  const asked: number[] = [];
  const warm = new WarmBuffers({ clock: createVirtualClock(), warmer: instantWarmer(asked) });
  const first = warm.take(4 * MiB);
  assert.equal(warm.spareBytes, 4 * MiB);
  const second = warm.take(4 * MiB);
  assert.notEqual(second, first);
  assert.equal(second.byteLength, 4 * MiB);
  assert.deepEqual(warm.counts, { warm: 1, cold: 1 });
  assert.deepEqual(asked, [4 * MiB, 4 * MiB]);
  warm.close();
});

Deno.test("sizes outside the limits get no spare and another size does not take one", () => {
  const asked: number[] = [];
  const warm = new WarmBuffers({
    clock: createVirtualClock(),
    warmer: instantWarmer(asked),
    minBytes: MiB,
    maxBytes: 8 * MiB,
  });
  assert.equal(warm.take(MiB - 1).byteLength, MiB - 1);
  assert.equal(warm.take(8 * MiB + 1).byteLength, 8 * MiB + 1);
  assert.deepEqual(asked, []);
  warm.take(2 * MiB);
  assert.equal(warm.take(3 * MiB).byteLength, 3 * MiB);
  assert.deepEqual(warm.counts, { warm: 0, cold: 2 });
  warm.close();
});

Deno.test("spares never hold more than their limit", () => {
  const asked: number[] = [];
  const warm = new WarmBuffers({
    clock: createVirtualClock(),
    warmer: instantWarmer(asked),
    maxSpareBytes: 5 * MiB,
  });
  warm.take(2 * MiB);
  warm.take(3 * MiB);
  warm.take(4 * MiB);
  assert.deepEqual(asked, [2 * MiB, 3 * MiB]);
  assert.equal(warm.spareBytes, 5 * MiB);
  warm.close();
  assert.equal(warm.spareBytes, 0);
});

Deno.test("a spare unused for keepMs is let go", async () => {
  const clock = createVirtualClock();
  const warm = new WarmBuffers({ clock, warmer: instantWarmer([]), keepMs: 1_000 });
  warm.take(2 * MiB);
  await clock.advance(500);
  assert.equal(warm.spareBytes, 2 * MiB);
  await clock.advance(1_000);
  assert.equal(warm.spareBytes, 0);
  warm.close();
});

Deno.test("a size the warmer could not make does not hold back later spares", () => {
  let fail = true;
  const warm = new WarmBuffers({
    clock: createVirtualClock(),
    maxSpareBytes: 4 * MiB,
    warmer: (made) => ({
      request: (bytes) => made(fail ? bytes : new ArrayBuffer(bytes)),
      end: () => {},
    }),
  });
  warm.take(4 * MiB);
  assert.equal(warm.spareBytes, 0);
  fail = false;
  warm.take(4 * MiB);
  assert.equal(warm.spareBytes, 4 * MiB);
  warm.close();
});

Deno.test("the worker thread makes spares of the size asked", async () => {
  const warm = new WarmBuffers({ clock: createVirtualClock() });
  try {
    warm.take(2 * MiB);
    await waitFor(() => warm.spareBytes === 2 * MiB, "a spare from the worker", 30_000);
    const buffer = warm.take(2 * MiB);
    assert.equal(buffer.byteLength, 2 * MiB);
    new Uint8Array(buffer).fill(7);
    assert.deepEqual(warm.counts, { warm: 1, cold: 1 });
  } finally {
    warm.close();
  }
});

Deno.test("a chunked envelope is reassembled into the buffer its allocator gives", () => {
  const given: ArrayBuffer[] = [];
  const completed: Uint8Array[] = [];
  const chunksIn = new ChunksIn({
    clock: createVirtualClock(),
    policy: DEFAULT_CHUNK_POLICY,
    send: () => {},
    complete: (_, bytes) => completed.push(bytes),
    dropped: () => assert.fail("dropped"),
    count: () => {},
    allocate: (bytes) => {
      given.push(new ArrayBuffer(bytes));
      return given.at(-1)!;
    },
  });
  chunksIn.begin("h1", {
    kind: "chunkStart",
    transfer: 0,
    bytes: 6,
    of: "tell",
    target: "a",
    align: 3,
  });
  chunksIn.chunk("h1", 0, 0, new Uint8Array([1, 2, 3]));
  chunksIn.chunk("h1", 0, 3, new Uint8Array([4, 5, 6]));
  assert.equal(completed.length, 1);
  assert.equal(completed[0].buffer, given[0]);
  assert.deepEqual([...completed[0]], [1, 2, 3, 4, 5, 6]);
  // Aligned as before: the first large array's elements at a multiple of 8.
  assert.equal(completed[0].byteOffset, 5);
});
