import assert from "node:assert/strict";
import { runAtOnce, runInSlices, StepQueue, type Steps } from "../../base/slices.ts";
import { ticksDuring } from "../_helpers/loop_ticks.ts";

/** Busy work: `steps` pieces of a fixed computation, pausing after each; returns how many. */
function* busy(steps: number, log?: string[], name?: string): Steps<number> {
  let sink = 0;
  for (let i = 0; i < steps; i++) {
    for (let j = 0; j < 20_000; j++) sink += Math.sqrt(j + i);
    yield;
  }
  if (log !== undefined && name !== undefined) log.push(name);
  return sink > 0 ? steps : 0;
}

Deno.test("runInSlices gives timers their turns during a long step, and returns what it returns", async () => {
  const seen = await ticksDuring(() => runInSlices(busy(1_000)), 10);
  assert.ok(seen.ticks >= 3, `${seen.ticks} ticks in ${seen.elapsedMs} ms`);
  assert.equal(seen.result, 1_000);
});

Deno.test("runAtOnce runs a step to its end in one go", () => {
  function* sum(): Steps<number> {
    let total = 0;
    for (let i = 1; i <= 10; i++) {
      total += i;
      yield;
    }
    return total;
  }
  assert.equal(runAtOnce(sum()), 55);
});

Deno.test("a step queue runs a short step at once, and long ones in order, in slices", async () => {
  const errors: unknown[] = [];
  const queue = new StepQueue((err) => errors.push(err));
  const log: string[] = [];
  queue.push(busy(1, log, "short"));
  assert.deepEqual(log, ["short"], "nothing waited: it ran at once");
  const seen = await ticksDuring(async () => {
    for (const name of ["a", "b", "c"]) queue.push(busy(300, log, name));
    queue.push(busy(1, log, "d"));
    while (queue.pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }, 10);
  assert.deepEqual(log, ["short", "a", "b", "c", "d"]);
  assert.ok(seen.ticks >= 3, `${seen.ticks} ticks in ${seen.elapsedMs} ms`);
  assert.deepEqual(errors, []);
});

Deno.test("a step that throws is reported and dropped; the others still run", async () => {
  const errors: unknown[] = [];
  const queue = new StepQueue((err) => errors.push(err));
  const log: string[] = [];
  queue.push((function* (): Steps<void> {
    yield;
    throw new Error("bad batch");
  })());
  queue.push(busy(1, log, "after"));
  while (queue.pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(log, ["after"]);
  assert.equal((errors[0] as Error).message, "bad batch");
});

Deno.test("finish runs every waiting step now and leaves no timer behind", () => {
  const queue = new StepQueue(() => {});
  const log: string[] = [];
  queue.push(busy(200, log, "a"));
  queue.push(busy(200, log, "b"));
  queue.finish();
  assert.deepEqual(log, ["a", "b"]);
  assert.equal(queue.pending, 0);
});
