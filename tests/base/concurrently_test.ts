import assert from "node:assert/strict";
import { forEachConcurrently } from "../../base/concurrently.ts";

Deno.test("forEachConcurrently runs every item, never more than the limit at once, starting in list order", async () => {
  const started: number[] = [];
  let inFlight = 0;
  let most = 0;
  await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    started.push(n);
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, n % 3));
    inFlight--;
  });
  assert.deepEqual(started, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(most, 3);
  assert.equal(inFlight, 0);
});

Deno.test("forEachConcurrently rejects with the first failure once every started step has settled", async () => {
  const finished: number[] = [];
  await assert.rejects(
    forEachConcurrently([1, 2, 3], 2, async (n) => {
      await Promise.resolve();
      if (n === 1) throw new Error("one failed");
      finished.push(n);
    }),
    /one failed/,
  );
  assert.deepEqual(finished, [2, 3]);
});

Deno.test("forEachConcurrently with no items resolves at once", async () => {
  await forEachConcurrently([], 4, () => Promise.reject(new Error("never called")));
});
