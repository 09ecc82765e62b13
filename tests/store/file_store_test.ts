import assert from "node:assert/strict";
import { FileStore } from "../../store/file_store.ts";
import { StoreUnavailableError } from "../../store/errors.ts";
import { storeConformance } from "./_conformance.ts";
import { killWriterAndCheck } from "../_helpers/crash.ts";

storeConformance({
  name: "file",
  fresh: async () => {
    const dir = await Deno.makeTempDir({ prefix: "file-store-" });
    const store = await FileStore.open({ path: `${dir}/state.db`, maxValueBytes: 256 * 1024 });
    return {
      store,
      dispose: async () => {
        await store.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
});

Deno.test("file store: every acknowledged write survives a kill -9 of the writing process", async () => {
  const dir = await Deno.makeTempDir({ prefix: "file-store-crash-" });
  const path = `${dir}/state.db`;
  try {
    const acks = await killWriterAndCheck(["file", path], () => FileStore.open({ path }));
    assert.ok(acks >= 300);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file store: values survive closing and reopening, and revisions keep growing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "file-store-reopen-" });
  const path = `${dir}/nested/state.db`;
  try {
    const first = await FileStore.open({ path });
    const r1 = await first.put("x", new Uint8Array([9]), 0);
    await first.close();
    await assert.rejects(first.get("x"), StoreUnavailableError, "a closed store refuses calls");
    const second = await FileStore.open({ path });
    assert.equal((await second.get("x"))?.revision, r1);
    assert.ok((await second.put("y", new Uint8Array([1]), 0)) > r1);
    await second.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file store: two processes' stores on one file see each other's writes and conflicts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "file-store-shared-" });
  const path = `${dir}/state.db`;
  try {
    const a = await FileStore.open({ path });
    const b = await FileStore.open({ path });
    const r1 = await a.put("shared", new Uint8Array([1]), 0);
    assert.equal((await b.get("shared"))?.revision, r1);
    await b.put("shared", new Uint8Array([2]), r1);
    await assert.rejects(
      a.put("shared", new Uint8Array([3]), r1),
      (e: Error) => e.name === "RevisionConflictError",
    );
    await a.close();
    await b.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file store: a path that cannot be created fails with StoreUnavailableError", async () => {
  await assert.rejects(FileStore.open({ path: "/proc/forbidden/state.db" }), StoreUnavailableError);
});
