/**
 * The fences of a graceful leave: the host that leaves answers each peer's
 * frame 13, and waits for every peer up at its goodbye to send one (or to be
 * gone), at most until a deadline.
 */

import assert from "node:assert/strict";
import { LeaveFences } from "../../cluster/leave_fences.ts";
import { createVirtualClock } from "../../testing.ts";

function fences() {
  const clock = createVirtualClock(1_000);
  const settled: string[] = [];
  const fence = new LeaveFences({ clock, settle: (host) => settled.push(host) });
  return { clock, settled, fence };
}

Deno.test("a leaving host answers each peer's frame 13 and waits until every peer answered or is gone", async () => {
  const { clock, settled, fence } = fences();
  fence.begin(["a", "b", "c"]);
  let done = false;
  const waiting = fence.until(clock.now() + 3_000).then(() => done = true);
  fence.seen("a");
  fence.seen("z"); // not awaited: answered all the same
  await clock.advance(10);
  assert.deepEqual(settled, ["a", "z"]);
  assert.equal(fence.awaiting, 2);
  assert.equal(done, false, "b and c have not answered");
  fence.hostGone("b");
  fence.seen("c");
  await waiting;
  assert.equal(done, true);
  assert.equal(fence.awaiting, 0);
});

Deno.test("a leaving host stops waiting for silent peers at its deadline", async () => {
  const { clock, fence } = fences();
  fence.begin(["silent"]);
  let done = false;
  const waiting = fence.until(clock.now() + 500).then(() => done = true);
  await clock.advance(499);
  assert.equal(done, false);
  await clock.advance(1);
  await waiting;
  assert.equal(done, true);
});

Deno.test("a host with no peers to wait for does not wait", async () => {
  const { clock, fence } = fences();
  fence.begin([]);
  await fence.until(clock.now() + 3_000);
  assert.equal(fence.awaiting, 0);
});
