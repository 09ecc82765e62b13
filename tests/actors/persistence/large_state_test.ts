/**
 * Large persistent state on every backend: a state holding a 200 MiB
 * Float32Array is saved with its array in the store's blobs (JetStream's
 * object store, the file store's blob table, the memory store) and the key
 * referring to it; it is restored in a new system; an array that did not
 * change is not written again; compare-and-set fencing still holds (the
 * stale activation loses and stops, its blobs are deleted, the winner's
 * state is intact).
 */

import assert from "node:assert/strict";
import {
  ActorSystem,
  type Ask,
  defineActor,
  FileStore,
  JetStreamStore,
  MemoryStore,
  type StateStore,
} from "../../../mod.ts";
import { blobsOf, type BlobStore } from "../../../store/blobs.ts";
import { stateKey } from "../../../actors/persistence/persistence.ts";
import { startNatsServer } from "../../../testkit/nats_server.ts";
import { stopServer } from "../../_helpers/nats.ts";

/** 200 MiB of parameters. */
const LENGTH = 50 * 1024 * 1024;

type Shard = { readonly step: number; readonly params: Float32Array };

/** A parameter shard: `step` leaves the parameters alone, `scale` makes new ones. */
const ParamShard = defineActor<
  { step: Ask<void, number>; scale: Ask<number, number>; probe: Ask<void, number[]> },
  Shard
>({
  type: "param-shard",
  init: () => {
    const params = new Float32Array(LENGTH);
    for (let i = 0; i < LENGTH; i += 1024) params[i] = i % 97;
    return { step: 0, params };
  },
  persistence: { version: 1 },
  asks: {
    step: (s) => ({ state: { ...s, step: s.step + 1 }, reply: s.step + 1 }),
    scale: (s, by) => {
      const params = new Float32Array(s.params.length);
      for (let i = 0; i < params.length; i += 1024) params[i] = s.params[i] * by;
      return { state: { step: s.step + 1, params }, reply: s.step + 1 };
    },
    probe: (s) => ({
      state: s,
      reply: [s.step, s.params.length, s.params[1024 * 5], s.params[LENGTH - 1024]],
    }),
  },
});

/** Counts blob writes and deletes of a store, passing everything through. */
function counting(store: StateStore): { store: StateStore; puts: () => number; blobs: BlobStore } {
  const blobs = blobsOf(store)!;
  let puts = 0;
  const wrapped = {
    kind: store.kind,
    maxValueBytes: store.maxValueBytes,
    get: (key: string) => store.get(key),
    put: (key: string, value: Uint8Array, rev: number) => store.put(key, value, rev),
    delete: (key: string, rev: number) => store.delete(key, rev),
    keys: (prefix: string) => store.keys(prefix),
    close: () => store.close(),
    putBlob: (name: string, bytes: Uint8Array) => (puts++, blobs.putBlob(name, bytes)),
    getBlob: (name: string) => blobs.getBlob(name),
    deleteBlob: (name: string) => blobs.deleteBlob(name),
  };
  return { store: wrapped, puts: () => puts, blobs };
}

// A save of 200 MiB to JetStream takes seconds on a busy machine: asks wait for it.
const quiet = { logFailures: false, deadLetters: { logPerSecond: 0 }, askTimeoutMs: 180_000 };
const server = await startNatsServer();
const dir = await Deno.makeTempDir({ prefix: "large-state-" });
Deno.test.afterAll(async () => {
  await stopServer(server);
  await Deno.remove(dir, { recursive: true });
});

const backends: [string, () => Promise<StateStore>][] = [
  ["memory", () => Promise.resolve(new MemoryStore())],
  ["file", () => FileStore.open({ path: `${dir}/state.db` })],
  ["jetstream", () => JetStreamStore.open({ servers: server.url, bucket: "large" })],
];

for (const [name, open] of backends) {
  Deno.test(`${name} store: 200 MiB of state is saved as a blob, restored, not rewritten unchanged, and fenced`, async () => {
    await using cleanup = new AsyncDisposableStack();
    const raw = await open();
    cleanup.defer(() => raw.close());
    const { store, puts } = counting(raw);
    const start = async () => {
      const system = await ActorSystem.start({ ...quiet, store });
      cleanup.defer(() => system.shutdown());
      return system;
    };
    const key = "shard-0";
    const first = await start();
    const shard = first.spawn(ParamShard, { persistKey: key });
    assert.deepEqual(await shard.ask("probe"), [0, LENGTH, 5 * 1024 % 97, (LENGTH - 1024) % 97]);
    assert.equal(puts(), 1, "the parameters were written once, as a blob");
    const entry = await store.get(stateKey(key));
    assert.ok(entry !== undefined && entry.value.byteLength < 4096, "the key holds a reference");

    assert.equal(await shard.ask("step"), 1);
    assert.equal(await shard.ask("step"), 2);
    assert.equal(puts(), 1, "unchanged parameters are not written again");
    assert.equal(await shard.ask("scale", 2), 3);
    assert.equal(puts(), 2, "new parameters are written");
    await first.shutdown();

    // Restored in a new system; a second activation then fences the first.
    const a = await start();
    const b = await start();
    const onA = a.spawn(ParamShard, { persistKey: key });
    assert.deepEqual(await onA.ask("probe"), [
      3,
      LENGTH,
      2 * (5 * 1024 % 97),
      2 * ((LENGTH - 1024) % 97),
    ]);
    assert.equal(puts(), 2, "a claim of the state it loaded writes no blob");
    const onB = b.spawn(ParamShard, { persistKey: key });
    assert.equal(await onB.ask("step"), 4);
    const err = await onA.ask("scale", 3).catch((e) => e);
    assert.equal(err.name, "StateConflictError", "the stale activation loses");
    assert.equal((await a.whenStopped(onA))?.error?.name, "StateConflictError");
    assert.deepEqual(await onB.ask("probe"), [
      4,
      LENGTH,
      2 * (5 * 1024 % 97),
      2 * ((LENGTH - 1024) % 97),
    ]);
    await b.shutdown();
    const c = await start();
    const onC = c.spawn(ParamShard, { persistKey: key });
    assert.deepEqual(await onC.ask("probe"), [
      4,
      LENGTH,
      2 * (5 * 1024 % 97),
      2 * ((LENGTH - 1024) % 97),
    ], "the winner's state, never overwritten");
    if (raw instanceof MemoryStore) {
      assert.equal(raw.blobCount, 1, "old blobs and the loser's blob were deleted");
    }
  });
}
