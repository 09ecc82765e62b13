/**
 * Sends held for a host that left: those to its shards wait, in order,
 * until it settles (or the time is up), then run; other shards never wait.
 */

import assert from "node:assert/strict";
import { LEAVE_SETTLE_MS, MAX_HELD_SENDS, Settling } from "../../../actors/entities/settling.ts";
import { createVirtualClock } from "../../../testing.ts";

Deno.test("sends to a shard routed to a host that left wait in order until it settles; other shards go at once", () => {
  const clock = createVirtualClock(0);
  const settling = new Settling(() => clock);
  settling.hold("gone", [], [{ type: "t", index: 3 }], () => {});
  const ran: number[] = [];
  assert.equal(settling.holding, true);
  assert.equal(settling.holdSend("t", 4, () => ran.push(0)), "free");
  for (let n = 1; n <= 3; n++) assert.equal(settling.holdSend("t", 3, () => ran.push(n)), "held");
  assert.deepEqual(ran, []);
  settling.take("gone");
  assert.deepEqual(ran, [1, 2, 3]);
  assert.equal(settling.holding, false);
  assert.equal(settling.holdSend("t", 3, () => {}), "free", "once settled, sends go at once");
});

Deno.test("held sends go on without a word from the host that left once LEAVE_SETTLE_MS has passed", async () => {
  const clock = createVirtualClock(0);
  const settling = new Settling(() => clock);
  let released = 0;
  settling.hold("silent", [], [{ type: "t", index: 1 }], () => released++);
  const ran: string[] = [];
  settling.holdSend("t", 1, () => ran.push("first"));
  await clock.advance(LEAVE_SETTLE_MS - 1);
  assert.deepEqual(ran, []);
  await clock.advance(1);
  assert.deepEqual(ran, ["first"]);
  assert.equal(released, 1);
});

Deno.test("a shard holds at most MAX_HELD_SENDS sends; the next is refused as full", () => {
  const clock = createVirtualClock(0);
  const settling = new Settling(() => clock);
  settling.hold("gone", [], [{ type: "t", index: 0 }], () => {});
  for (let i = 0; i < MAX_HELD_SENDS; i++) settling.holdSend("t", 0, () => {});
  assert.equal(settling.holdSend("t", 0, () => {}), "full");
  settling.take("gone");
});
