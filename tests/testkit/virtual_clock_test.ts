import assert from "node:assert/strict";
import { createVirtualClock } from "../../testing.ts";

Deno.test("virtual time moves only when advanced, firing due timers in order", async () => {
  const clock = createVirtualClock(5_000);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push("b"), 20);
  clock.setTimeout(() => fired.push("a"), 10);
  const cancelled = clock.setTimeout(() => fired.push("never"), 15);
  clock.clearTimeout(cancelled);
  assert.equal(clock.now(), 5_000);
  assert.equal(clock.pendingTimers, 2);
  await clock.advance(10);
  assert.deepEqual(fired, ["a"]);
  await clock.advance(10);
  assert.deepEqual(fired, ["a", "b"]);
  assert.equal(clock.now(), 5_020);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("promise callbacks run between virtual timers", async () => {
  const clock = createVirtualClock();
  const order: string[] = [];
  clock.setTimeout(() => {
    order.push("first timer");
    Promise.resolve().then(() => order.push("its promise callback"));
  }, 1);
  clock.setTimeout(() => order.push("second timer"), 2);
  await clock.advance(5);
  assert.deepEqual(order, ["first timer", "its promise callback", "second timer"]);
});

Deno.test("runAll fires every pending timer", async () => {
  const clock = createVirtualClock();
  let count = 0;
  clock.setTimeout(() => count++, 1_000);
  clock.setTimeout(() => count++, 60_000);
  await clock.runAll();
  assert.equal(count, 2);
  assert.equal(clock.now(), 60_000);
});
