/**
 * A file store whose file another connection has locked waits on timers,
 * never in a blocking SQLite call: the event loop keeps running, the call
 * lands once the lock is gone, and fails with `StoreUnavailableError` when
 * the lock outlives `busyTimeoutMs`.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { FileStore } from "../../store/file_store.ts";
import { StoreUnavailableError } from "../../store/errors.ts";
import { ticksDuring } from "../_helpers/loop_ticks.ts";

/** A temporary file, a store on it, and a second connection that can lock it. */
async function lockedFile(
  busyTimeoutMs: number,
  body: (store: FileStore, other: DatabaseSync, path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "file-store-lock-" });
  const path = `${dir}/state.db`;
  const store = await FileStore.open({ path, busyTimeoutMs });
  const other = new DatabaseSync(path);
  try {
    await body(store, other, path);
  } finally {
    if (other.isTransaction) other.exec("ROLLBACK");
    other.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const bytes = (n: number) => new Uint8Array([n]);

Deno.test("a write to a locked file waits on timers and lands once the lock is released", async () => {
  await lockedFile(10_000, async (store, other) => {
    other.exec("BEGIN EXCLUSIVE");
    const release = setTimeout(() => other.exec("COMMIT"), 300);
    const seen = await ticksDuring(() => store.put("k", bytes(7), 0), 10);
    clearTimeout(release);
    assert.ok(seen.elapsedMs >= 250, `it waited for the lock (${seen.elapsedMs} ms)`);
    assert.ok(seen.ticks >= 3, `${seen.ticks} ticks of a 10 ms timer while it waited`);
    assert.deepEqual((await store.get("k"))?.value, bytes(7));
    assert.equal((await store.get("k"))?.revision, seen.result);
  });
});

Deno.test("a write to a file another process has locked lands once that process lets go", async () => {
  await lockedFile(10_000, async (store, _other, path) => {
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { DatabaseSync } from "node:sqlite";
        const db = new DatabaseSync(${JSON.stringify(path)});
        db.exec("BEGIN EXCLUSIVE");
        console.log("locked");
        setTimeout(() => { db.exec("COMMIT"); db.close(); }, 400);`,
      ],
      stdout: "piped",
    }).spawn();
    const lines = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assert.match((await lines.read()).value ?? "", /locked/);
    const seen = await ticksDuring(() => store.put("k", bytes(3), 0), 10);
    assert.ok(seen.ticks >= 3, `${seen.ticks} ticks of a 10 ms timer while it waited`);
    assert.deepEqual((await store.get("k"))?.value, bytes(3));
    await lines.cancel();
    assert.equal((await holder.status).code, 0);
  });
});

Deno.test("a lock that outlives busyTimeoutMs fails the call with StoreUnavailableError, and the next call works", async () => {
  await lockedFile(200, async (store, other) => {
    other.exec("BEGIN EXCLUSIVE");
    const seen = await ticksDuring(() => store.put("k", bytes(1), 0).catch((err) => err), 10);
    const error = seen.result;
    assert.ok(error instanceof StoreUnavailableError, String(error));
    assert.equal(error.outcomeUnknown, false, "nothing was written");
    assert.match(error.message, /put/);
    assert.ok(seen.elapsedMs >= 190, `it waited its busyTimeoutMs (${seen.elapsedMs} ms)`);
    assert.ok(seen.ticks >= 3, `${seen.ticks} ticks of a 10 ms timer while it waited`);
    other.exec("COMMIT");
    assert.equal(await store.get("k"), undefined);
    assert.ok((await store.put("k", bytes(2), 0)) > 0);
  });
});

Deno.test("calls made while the file is locked run in the order they were made", async () => {
  await lockedFile(10_000, async (store, other) => {
    other.exec("BEGIN EXCLUSIVE");
    const put = store.put("k", bytes(1), 0);
    const read = store.get("k");
    const keys = store.keys("");
    setTimeout(() => other.exec("COMMIT"), 100);
    const revision = await put;
    assert.deepEqual(await read, { value: bytes(1), revision });
    assert.deepEqual(await keys, ["k"]);
  });
});

Deno.test("opening a locked file waits for the lock without blocking the loop", async () => {
  await lockedFile(10_000, async (_store, other, path) => {
    other.exec("BEGIN EXCLUSIVE");
    const release = setTimeout(() => other.exec("COMMIT"), 200);
    const seen = await ticksDuring(() => FileStore.open({ path }), 10);
    clearTimeout(release);
    assert.ok(seen.ticks >= 3, `${seen.ticks} ticks of a 10 ms timer while it waited`);
    await seen.result.close();
  });
});

Deno.test("closing the store fails the calls that wait for the lock", async () => {
  await lockedFile(10_000, async (store, other) => {
    other.exec("BEGIN EXCLUSIVE");
    const put = store.put("k", bytes(1), 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.close();
    await assert.rejects(put, StoreUnavailableError);
  });
});
