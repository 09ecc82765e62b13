/**
 * Backpressure for local senders: `await ref.whenRoom()` before a tell
 * waits for room in a bounded mailbox instead of meeting `MailboxFullError`.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor, MailboxFullError, type Tell } from "../../mod.ts";
import { waitFor, withSystem } from "../_helpers/system.ts";

/** Handles each message only when the test lets it, and keeps what it got. */
function gated() {
  const gates: (() => void)[] = [];
  const Gated = defineActor<{ take: Tell<number>; got: Ask<void, number[]> }, number[]>({
    type: "gated",
    init: () => [],
    tells: {
      take: async (got, n) => {
        await new Promise<void>((resolve) => gates.push(resolve));
        return [...got, n];
      },
    },
    asks: { got: (got) => ({ state: got, reply: got }) },
  });
  const open = async () => {
    while (gates.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    gates.shift()!();
  };
  return { Gated, open };
}

Deno.test("a local sender that awaits whenRoom before each tell is never refused, and every message arrives in order", async () => {
  const { Gated, open } = gated();
  await withSystem(async (system) => {
    const ref = system.spawn(Gated, { mailbox: { kind: "bounded", capacity: 2 } });
    const sent: number[] = [];
    const producer = (async () => {
      for (let i = 0; i < 20; i++) {
        await ref.whenRoom();
        ref.tell("take", i);
        sent.push(i);
      }
    })();
    // One message in hand and two queued: the producer waits for room.
    await waitFor(() => sent.length === 3, "three sent");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sent.length, 3, "and no more");
    assert.throws(() => ref.tell("take", 99), MailboxFullError, "a plain tell is still refused");
    for (let i = 0; i < 20; i++) await open();
    await producer;
    assert.equal(sent.length, 20);
    assert.deepEqual(await ref.ask("got"), Array.from({ length: 20 }, (_, i) => i));
  });
});

Deno.test("senders waiting for room are let in one per message taken, oldest first", async () => {
  const { Gated, open } = gated();
  await withSystem(async (system) => {
    const ref = system.spawn(Gated, { mailbox: { kind: "bounded", capacity: 1 } });
    ref.tell("take", 0);
    await new Promise((resolve) => setTimeout(resolve, 5)); // 0 in hand
    ref.tell("take", 1); // queued: full
    const woken: string[] = [];
    const a = ref.whenRoom().then(() => woken.push("a"));
    const b = ref.whenRoom().then(() => woken.push("b"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(woken, []);
    await open(); // 0 done, 1 taken: one slot
    await a;
    assert.deepEqual(woken, ["a"]);
    ref.tell("take", 2);
    await open(); // 1 done, 2 taken
    await b;
    assert.deepEqual(woken, ["a", "b"]);
    ref.tell("take", 3);
    await open();
    await open();
  });
});

Deno.test("a sender waiting for room is let go when the actor stops; its tell goes to the dead letters", async () => {
  const { Gated } = gated();
  await withSystem(async (system) => {
    const ref = system.spawn(Gated, { mailbox: { kind: "bounded", capacity: 1 } });
    ref.tell("take", 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    ref.tell("take", 1);
    const waiting = ref.whenRoom();
    const stopped = system.stop(ref, { timeoutMs: 50 });
    await waiting;
    await stopped;
    const before = system.deadLetters.total;
    ref.tell("take", 2);
    assert.equal(system.deadLetters.total, before + 1);
    await ref.whenRoom(); // stopped: at once
  });
});
