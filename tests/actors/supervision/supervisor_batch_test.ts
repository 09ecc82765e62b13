/**
 * The batches of one restart go to every host at once, each host with its
 * own bound on batches in flight.
 */

import assert from "node:assert/strict";
import { forEachPerHost } from "../../../actors/supervision/_supervisor_batch.ts";

Deno.test("batches for a second host are in flight while the first host still has batches waiting", async () => {
  // Placement order: every batch of h1 before any of h2 (as `spread` groups them).
  const batches = [
    ...Array.from({ length: 6 }, (_, i) => ({ hostId: "h1", n: i })),
    ...Array.from({ length: 6 }, (_, i) => ({ hostId: "h2", n: i })),
  ];
  const inFlight = new Map<string, number>();
  const most = new Map<string, number>();
  const gate = Promise.withResolvers<void>();
  let started = 0;
  const run = forEachPerHost(batches, 2, async (batch) => {
    started++;
    inFlight.set(batch.hostId, (inFlight.get(batch.hostId) ?? 0) + 1);
    most.set(batch.hostId, Math.max(most.get(batch.hostId) ?? 0, inFlight.get(batch.hostId)!));
    await gate.promise;
    inFlight.set(batch.hostId, inFlight.get(batch.hostId)! - 1);
  });
  await Promise.resolve();
  assert.equal(inFlight.get("h1"), 2, "h1 has its two batches in flight");
  assert.equal(inFlight.get("h2"), 2, "h2 does not wait for h1's batches");
  gate.resolve();
  await run;
  assert.equal(started, 12, "every batch ran once");
  assert.deepEqual([most.get("h1"), most.get("h2")], [2, 2], "never more than two per host");
});

Deno.test("a failed batch fails the run only once every other batch has settled", async () => {
  const settled: string[] = [];
  const slow = Promise.withResolvers<void>();
  const run = forEachPerHost(
    [{ hostId: "h1" }, { hostId: "h2" }],
    1,
    async (batch) => {
      if (batch.hostId === "h1") throw new Error("a bug in the step");
      await slow.promise;
      settled.push(batch.hostId);
    },
  );
  let failed = false;
  run.catch(() => failed = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(failed, false, "still waiting for h2's batch");
  slow.resolve();
  await assert.rejects(run, /a bug in the step/);
  assert.deepEqual(settled, ["h2"]);
});
