/**
 * Durable objects (`put(value, { durable: true })`): written to the state
 * store, they outlive their owner actor and their host, and are read by any
 * host that shares the store (memory and file stores here; JetStream in
 * tests/cluster/object_refs_processes_test.ts); a release or lease ends
 * them for every host, with the reason.
 */

import assert from "node:assert/strict";
import {
  type Ask,
  defineActor,
  FileStore,
  InvalidOptionError,
  MemoryStore,
  ObjectLostError,
  type StateStore,
  type Tell,
} from "../../../mod.ts";
import type { ObjectRef } from "../../../types.ts";
import { startMemoryCluster } from "../../_helpers/cluster.ts";
import { waitFor, withSystem } from "../../_helpers/system.ts";

async function lostReason(obj: ObjectRef<unknown>): Promise<string> {
  const err = await obj.get().then(() => undefined, (e) => e);
  assert.ok(ObjectLostError.is(err), `expected ObjectLostError, got ${err}`);
  return err.reason;
}

const DurablePutter = defineActor<
  { put: Ask<number[], ObjectRef<Float64Array>>; quit: Tell },
  null
>({
  type: "durable-putter",
  init: () => null,
  asks: {
    put: async (s, xs, ctx) => ({
      state: s,
      reply: await ctx.put(new Float64Array(xs), { durable: true }),
    }),
  },
  tells: { quit: (s, _, ctx) => (ctx.stopSelf(), s) },
});

async function outlivesOwnerAndHost(store: StateStore): Promise<void> {
  const { hosts: [a, b, c], shutdown } = await startMemoryCluster([{}, {}, {}], {
    system: { store },
  });
  try {
    const putter = await a.spawn(DurablePutter, { placement: { kind: "host", hostId: b.hostId } });
    const obj = await putter.ask("put", [1.5, 2.5]);
    assert.equal(obj.durable, true);
    putter.tell("quit");
    await a.whenStopped(putter);
    assert.deepEqual([...await obj.get()], [1.5, 2.5], "outlives its owner actor");
    await b.shutdown();
    const elsewhere = c.resolveObjectRef<Float64Array>(obj.toJSON());
    assert.deepEqual([...await elsewhere.get()], [1.5, 2.5], "outlives its host");
    await obj.release();
    assert.equal(await lostReason(obj), "released");
    assert.equal(await lostReason(elsewhere), "released", "a kept copy sees the release");
  } finally {
    await shutdown();
  }
}

Deno.test("a durable object outlives its owner actor and its host (memory store)", async () => {
  const store = new MemoryStore();
  await outlivesOwnerAndHost(store);
  assert.equal(store.blobCount, 0, "the release deleted its blob");
});

Deno.test("a durable object outlives its owner actor and its host (file store)", async () => {
  const dir = await Deno.makeTempDir();
  const store = await FileStore.open({ path: `${dir}/state.db` });
  try {
    await outlivesOwnerAndHost(store);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a durable object's lease ends it for every host sharing the store", async () => {
  const store = new MemoryStore();
  let obj: ObjectRef<string> | undefined;
  await withSystem(async (system) => {
    obj = await system.put("short-lived", { durable: true, leaseMs: 300 });
  }, { store });
  // Its host is gone; another system on the same store reads it until the lease ends.
  await withSystem(async (system) => {
    const again = system.resolveObjectRef<string>(obj!.toJSON());
    await waitFor(
      async () =>
        (await again.get().catch((e) => ObjectLostError.is(e) ? e.reason : e)) ===
          "lease-expired",
      "the lease to end",
      10_000,
    );
  }, { store });
});

Deno.test("a durable object needs a store with blobs", async () => {
  const plain: StateStore = {
    kind: "memory",
    maxValueBytes: 1024,
    get: () => Promise.resolve(undefined),
    put: () => Promise.resolve(1),
    delete: () => Promise.resolve(),
    keys: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
  await withSystem(async (system) => {
    await assert.rejects(system.put(1, { durable: true }), InvalidOptionError);
  }, { store: plain });
});
