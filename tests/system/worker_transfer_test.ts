/**
 * Buffers given up with `transfer()` move between the hosts of one process
 * (main thread and worker hosts) without a copy: the sender's array is
 * detached after the send, the receiver sees the same values, in tells,
 * asks and replies, nested in records, worker to worker. What was not given
 * up is copied as before.
 */

import assert from "node:assert/strict";
import { ActorSystem, InvalidOptionError, transfer } from "../../mod.ts";
import { Tensors } from "../_helpers/tensor_defs.ts";

async function withWorkers(body: (system: ActorSystem) => Promise<void>): Promise<void> {
  const system = await ActorSystem.start({ workers: 2, log: { level: "error" } });
  try {
    await body(system);
  } finally {
    await system.shutdown({ timeoutMs: 2_000 });
  }
}

const onWorker = (system: ActorSystem, i: number) =>
  ({ kind: "host", hostId: `${system.hostId}-w${i}` }) as const;

Deno.test("a tensor given up in an ask to a worker host moves there: the sender's copy is detached", async () => {
  await withWorkers(async (system) => {
    const tensors = await system.spawn(Tensors, { placement: onWorker(system, 1) });
    const t = new Float32Array(1 << 20).fill(3);
    const reply = await tensors.ask("see", transfer(t));
    assert.deepEqual(reply, { length: 1 << 20, sum: 3 * (1 << 20) });
    assert.equal(t.byteLength, 0, "moved, not copied");
  });
});

Deno.test("a tensor not given up is copied: the sender keeps it", async () => {
  await withWorkers(async (system) => {
    const tensors = await system.spawn(Tensors, { placement: onWorker(system, 1) });
    const t = new Float32Array(1024).fill(1);
    assert.deepEqual(await tensors.ask("see", t), { length: 1024, sum: 1024 });
    assert.equal(t.length, 1024);
    assert.equal(t[1023], 1);
  });
});

Deno.test("given-up arrays nested in a record move; views of one buffer stay views of one buffer", async () => {
  await withWorkers(async (system) => {
    const tensors = await system.spawn(Tensors, { placement: onWorker(system, 2) });
    const a = new Float32Array(10).fill(1);
    const shared = new Float64Array(8).fill(2);
    const record = { a: transfer(a), b: [transfer(shared.subarray(0, 4)), shared.subarray(4)] };
    const reply = await tensors.ask("seeAll", record);
    assert.deepEqual(reply, [
      { length: 10, sum: 10 },
      { length: 4, sum: 8 },
      { length: 4, sum: 8 },
    ]);
    assert.equal(a.byteLength, 0);
    assert.equal(shared.byteLength, 0);
    assert.equal(record.b.length, 2, "the sender's record itself is not changed");
  });
});

Deno.test("a reply can give a tensor up, and a worker can move one to another worker", async () => {
  await withWorkers(async (system) => {
    const one = await system.spawn(Tensors, { placement: onWorker(system, 1) });
    const two = await system.spawn(Tensors, { placement: onWorker(system, 2) });
    const made = await one.ask("make", 1000);
    assert.ok(made instanceof Float32Array);
    assert.equal(made.length, 1000);
    assert.equal(made[999], 1);
    assert.deepEqual(await one.ask("relay", { to: two, length: 5000 }), {
      length: 5000,
      sum: 10_000,
    });
  });
});

Deno.test("tells of tensors moved or copied are handled in the order they were sent", async () => {
  await withWorkers(async (system) => {
    const tensors = await system.spawn(Tensors, { placement: onWorker(system, 1) });
    for (let n = 1; n <= 8; n++) {
      const t = new Float32Array(n).fill(n);
      tensors.tell("take", n % 3 === 0 ? t : transfer(t));
    }
    assert.deepEqual(await tensors.ask("history"), [1, 4, 9, 16, 25, 36, 49, 64]);
  });
});

Deno.test("transfer refuses what cannot move", () => {
  assert.throws(() => transfer(new Float32Array(new SharedArrayBuffer(16))), InvalidOptionError);
  assert.throws(() => transfer({} as unknown as ArrayBuffer), InvalidOptionError);
  const t = new Uint8Array(4);
  assert.equal(transfer(t), t, "returns its argument");
});
