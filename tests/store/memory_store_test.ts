import assert from "node:assert/strict";
import { MemoryStore } from "../../store/memory_store.ts";
import { StoreUnavailableError } from "../../store/errors.ts";
import { encodeKeyToken } from "../../store/store.ts";
import { storeConformance } from "./_conformance.ts";

storeConformance({
  name: "memory",
  fresh: () => {
    const store = new MemoryStore({ maxValueBytes: 64 * 1024 });
    return Promise.resolve({ store, dispose: () => store.close() });
  },
});

Deno.test("memory store: while switched off, every call fails with StoreUnavailableError", async () => {
  const store = new MemoryStore();
  await store.put("k", new Uint8Array([1]), 0);
  store.available = false;
  await assert.rejects(store.get("k"), StoreUnavailableError);
  await assert.rejects(store.put("k", new Uint8Array([2]), 1), StoreUnavailableError);
  store.available = true;
  assert.deepEqual((await store.get("k"))?.value, new Uint8Array([1]));
});

Deno.test("key tokens encode every character outside [A-Za-z0-9_-], keeping prefixes", () => {
  assert.equal(encodeKeyToken("worker-1_a"), "worker-1_a");
  assert.equal(encodeKeyToken("trial:3"), "trial=3A3");
  assert.equal(encodeKeyToken("a.b c*>"), "a=2Eb=20c=2A=3E");
  assert.equal(encodeKeyToken("é"), "=C3=A9");
  const long = "run:42/shard.7";
  assert.ok(encodeKeyToken(long).startsWith(encodeKeyToken("run:42/")));
});
