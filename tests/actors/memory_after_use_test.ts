import assert from "node:assert/strict";
import { type Ask, defineActor, type Tell } from "../../mod.ts";
import { DEFAULT_MAILBOX } from "../../actors/mailbox.ts";
import { MailboxPool } from "../../actors/mailbox_pool.ts";
import { LocalRef } from "../../actors/local_ref.ts";
import { withSystem } from "../_helpers/system.ts";

const Counter = defineActor<
  { inc: Tell<number>; slowInc: Tell<number>; get: Ask<void, number> },
  number
>({
  type: "memory-counter",
  init: () => 0,
  tells: {
    inc: (n, by) => n + by,
    slowInc: async (n, by) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return n + by;
    },
  },
  asks: { get: (n) => ({ state: n, reply: n }) },
});

Deno.test("an actor that has handled its messages holds no mailbox", async () => {
  await withSystem(async (system) => {
    const counters = Array.from({ length: 100 }, () => system.spawn(Counter));
    for (const counter of counters) for (let i = 0; i < 5; i++) counter.tell("inc", 1);
    for (const counter of counters) assert.equal(await counter.ask("get"), 5);
    for (const counter of counters) assert.equal(LocalRef.cellOf(counter)!.holdsMailbox, false);
  });
});

Deno.test("an actor whose last turn was async gives its mailbox back after that turn", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    counter.tell("slowInc", 2);
    counter.tell("slowInc", 3);
    assert.equal(await counter.ask("get"), 5);
    counter.tell("slowInc", 1);
    const cell = LocalRef.cellOf(counter)!;
    while (cell.busy || cell.queued > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(cell.holdsMailbox, false);
    assert.equal(await counter.ask("get"), 6);
  });
});

Deno.test("an actor that was spawned, told and asked holds none of the rarely used parts", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    counter.tell("inc", 2);
    assert.equal(await counter.ask("get"), 2);
    assert.equal(LocalRef.cellOf(counter)!.holdsRareParts, false);
  });
});

Deno.test("a released mailbox is reused with the limits of its new actor and forgets its last message", () => {
  const pool = new MailboxPool();
  const mailbox = pool.obtain<string, never>(DEFAULT_MAILBOX);
  mailbox.put("m", { big: "payload" }, undefined, 0);
  mailbox.take();
  assert.deepEqual(mailbox.takenPayload, { big: "payload" });
  assert.equal(pool.release(mailbox), true);
  const again = pool.obtain<string, never>({ kind: "bounded", capacity: 1 });
  assert.equal(again, mailbox);
  assert.equal(again.takenPayload, undefined);
  assert.equal(again.isEmpty, true);
  again.put("n", 1, undefined, 0);
  assert.equal(again.fits(0), false);
  assert.equal(again.take(), "n");
  assert.equal(again.takenPayload, 1);
});

Deno.test("a mailbox that holds messages or has a sender waiting for room is not released", async () => {
  const pool = new MailboxPool();
  const mailbox = pool.obtain<string, never>({ kind: "bounded", capacity: 1 });
  mailbox.put("m", 1, undefined, 0);
  assert.equal(pool.release(mailbox), false);
  const first = mailbox.whenRoom();
  const second = mailbox.whenRoom();
  mailbox.take();
  await first;
  // Empty, but the second sender still waits on this very mailbox.
  assert.equal(pool.release(mailbox), false);
  mailbox.releaseRoomWaiters();
  await second;
  assert.equal(pool.release(mailbox), true);
});

Deno.test("two systems in one process keep their spare mailboxes apart", async () => {
  await withSystem(async (first) => {
    await withSystem(async (second) => {
      const counter = first.spawn(Counter);
      counter.tell("inc", 1);
      assert.equal(await counter.ask("get"), 1);
      const other = second.spawn(Counter);
      assert.equal(await other.ask("get"), 0);
      const firstPool = LocalRef.cellOf(counter)!.runtime.mailboxes;
      const secondPool = LocalRef.cellOf(other)!.runtime.mailboxes;
      assert.notEqual(firstPool, secondPool);
      const spares = secondPool.spares;
      counter.tell("inc", 1);
      assert.equal(await counter.ask("get"), 2);
      // The first system's drained mailbox went back to its own pool only.
      assert.equal(secondPool.spares, spares);
      assert.ok(firstPool.spares >= 1);
    });
  });
});

Deno.test("a mailbox pool keeps at most its bound of spares", () => {
  const pool = new MailboxPool(2);
  const mailboxes = Array.from({ length: 3 }, () => pool.obtain<string, never>(DEFAULT_MAILBOX));
  for (const m of mailboxes) assert.equal(pool.release(m), true);
  assert.equal(pool.spares, 2);
});
