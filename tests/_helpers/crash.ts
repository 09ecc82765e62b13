/**
 * Kills a process that is writing to a store (`kill -9`) and checks that
 * every write it had acknowledged is still there after the store is reopened.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { StateStore } from "../../store/store.ts";

/**
 * Runs the store writer script in a child process, kills it with SIGKILL
 * after `acks` acknowledged writes, then checks `reopen()`'s store.
 */
export async function killWriterAndCheck(
  writerArgs: string[],
  reopen: () => Promise<StateStore>,
  acks = 300,
): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./scripts/store_writer.ts", import.meta.url).pathname,
      ...writerArgs,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const acked = new Map<string, { counter: number; revision: number }>();
  let seen = 0;
  let buffer = "";
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  // A writer that stalls is killed, which ends its output and fails the read below.
  let stalled = false;
  const deadline = setTimeout(() => {
    stalled = true;
    child.kill("SIGKILL");
  }, 60_000);
  while (seen < acks) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(deadline);
      await child.status;
      const why = stalled ? "was killed after 60 s" : "exited";
      throw new Error(`the writer ${why} after ${seen} acknowledged writes`);
    }
    buffer += decoder.decode(value, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      const [, key, counter, revision] = line.split(" ");
      acked.set(key, { counter: Number(counter), revision: Number(revision) });
      seen++;
    }
  }
  clearTimeout(deadline);
  child.kill("SIGKILL");
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");
  await reader.cancel().catch(() => {});

  const store = await reopen();
  try {
    for (const [key, last] of acked) {
      const entry = await store.get(key);
      assert.ok(entry, `acknowledged key ${key} is missing`);
      const stored = Number(new TextDecoder().decode(entry.value));
      // A write after the last acknowledged one may also have landed before the kill.
      assert.ok(stored >= last.counter, `${key}: stored ${stored} < acknowledged ${last.counter}`);
      assert.ok(entry.revision >= last.revision, `${key}: revision went back`);
    }
  } finally {
    await store.close();
  }
  return seen;
}
