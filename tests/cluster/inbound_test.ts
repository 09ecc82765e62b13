/**
 * The inbound side, tested with bytes: big batches are delivered in slices
 * and in order, and refusals of many tells go back counted.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor, type Tell } from "../../mod.ts";
import type { Frame } from "../../cluster/codec.ts";
import { remotingHarness } from "../_helpers/remoting_harness.ts";
import { ticksDuring } from "../_helpers/loop_ticks.ts";
import { waitFor } from "../_helpers/system.ts";

/** Keeps the last number it was told and whether they all came in order. */
const Sequence = defineActor<
  { next: Tell<number>; state: Ask<void, { last: number; inOrder: boolean }> },
  { last: number; inOrder: boolean }
>({
  type: "sequence",
  init: () => ({ last: -1, inOrder: true }),
  tells: { next: (s, n) => ({ last: n, inOrder: s.inOrder && n === s.last + 1 }) },
  asks: { state: (s) => ({ state: s, reply: s }) },
});

const tells = (to: string, from: number, count: number, name = "next"): Frame[] =>
  Array.from({ length: count }, (_, i) => ({ kind: "tell", to, name, body: from + i }));

Deno.test("batches of 40,000 tells are delivered in slices, in order, nothing of a later batch first", async () => {
  const h = remotingHarness();
  try {
    const actor = h.runtime.spawn(Sequence as never, undefined, undefined).ref;
    const seen = await ticksDuring(async () => {
      for (let batch = 0; batch < 5; batch++) h.sendAll(tells(actor.id, batch * 40_000, 40_000));
      await waitFor(() => h.remoting.stats.framesReceived === 200_000, "every frame", 60_000);
    });
    assert.ok(seen.ticks >= 3, `${seen.ticks} ticks in ${seen.elapsedMs} ms`);
    h.send({
      kind: "ask",
      to: actor.id,
      name: "state",
      body: undefined,
      correlation: 1,
      timeoutMs: 60_000,
    });
    assert.deepEqual(await h.next(1), [
      { kind: "reply", correlation: 1, body: { last: 199_999, inOrder: true } },
    ]);
  } finally {
    await h.stop();
  }
});

Deno.test("a small batch that finds nothing waiting is handled at once", async () => {
  const h = remotingHarness();
  try {
    const actor = h.runtime.spawn(Sequence as never, undefined, undefined).ref;
    h.sendAll(tells(actor.id, 0, 3));
    assert.equal(h.remoting.stats.framesReceived, 3);
  } finally {
    await h.stop();
  }
});

Deno.test("many refused tells of one name to one actor go back counted, in a few frames 7", async () => {
  const h = remotingHarness();
  try {
    h.sendAll([...tells("here/404", 0, 1_000, "a"), ...tells("here/405", 0, 1, "a")]);
    const counted = (to: string) =>
      h.out.filter((f) => "to" in f && f.to === to)
        .reduce((sum, f) => sum + (f.kind === "undeliverableMany" ? f.count : 1), 0);
    h.remoting.flushBatches();
    await waitFor(() => counted("here/404") === 1_000 && counted("here/405") === 1, "the refusals");
    const flood = h.out.filter((f) => "to" in f && f.to === "here/404");
    // One frame per kind of refusal per slice of work: a few, however many tells.
    assert.ok(flood.length <= 8, `${flood.length} frames for 1000 refusals`);
    assert.deepEqual(flood[0], {
      kind: "undeliverableMany",
      to: "here/404",
      name: "a",
      reason: "unknown-actor",
      count: (flood[0] as { count: number }).count,
      body: 0,
    });
    assert.deepEqual(h.out.find((f) => "to" in f && f.to === "here/405"), {
      kind: "undeliverable",
      to: "here/405",
      name: "a",
      reason: "unknown-actor",
      body: 0,
    });
    assert.deepEqual(h.runtime.deadLetters.recent(), [], "the receiving host records none");
  } finally {
    await h.stop();
  }
});

Deno.test("frame 7 that comes back is one dead letter that counts every refused tell", async () => {
  const h = remotingHarness();
  try {
    h.send({
      kind: "undeliverableMany",
      to: "peer/9",
      name: "work",
      reason: "mailbox-full",
      count: 5_000,
      body: 1,
      type: "worker",
    });
    await waitFor(() => h.runtime.deadLetters.total === 5_000, "the counted dead letter");
    const [letter] = h.runtime.deadLetters.recent();
    assert.equal(letter.count, 5_000);
    assert.equal(letter.reason, "mailbox-full");
    assert.deepEqual(letter.target, { id: "peer/9", type: "worker" });
    assert.equal(letter.payload, 1);
  } finally {
    await h.stop();
  }
});

Deno.test("an ask from the wire whose timeout is out of a timer's range is refused with InvalidOptionError", async () => {
  const h = remotingHarness();
  try {
    const actor = h.runtime.spawn(Sequence as never, undefined, undefined).ref;
    for (const [correlation, timeoutMs] of [[1, 2 ** 31], [2, 0], [3, -1], [4, 2 ** 53 - 1]]) {
      h.send({ kind: "ask", to: actor.id, name: "state", body: undefined, correlation, timeoutMs });
    }
    const frames = await h.next(4);
    for (const frame of frames) {
      assert.equal(frame.kind, "replyError");
      assert.equal(frame.kind === "replyError" && frame.error.code, "invalid_option");
    }
    h.send({
      kind: "ask",
      to: actor.id,
      name: "state",
      body: undefined,
      correlation: 5,
      timeoutMs: 2 ** 31 - 1,
    });
    assert.deepEqual(await h.next(1), [
      { kind: "reply", correlation: 5, body: { last: -1, inOrder: true } },
    ]);
  } finally {
    await h.stop();
  }
});

Deno.test("tells from the wire count their envelope's bytes against the mailbox, and the excess goes back as mailbox-full", async () => {
  const h = remotingHarness();
  try {
    const actor = h.runtime.spawn(Sequence as never, {
      args: undefined,
      mailbox: { kind: "bounded", capacity: 1_000, maxBytes: 10_000 },
    }, undefined);
    const body = { text: "x".repeat(1_000) };
    h.sendAll(
      Array.from({ length: 20 }, () => ({ kind: "tell", to: actor.id, name: "next", body })),
    );
    const queued = actor.stats().mailbox;
    assert.ok(
      queued.depth >= 5 && queued.depth < 10,
      `${queued.depth} queued, ${queued.bytes} bytes`,
    );
    assert.ok(queued.bytes > 9_000 && queued.bytes <= 10_000, `${queued.bytes} bytes`);
    const refused = () =>
      h.out.filter((f) => "to" in f && f.to === actor.id)
        .reduce((sum, f) =>
          sum + (f.kind === "undeliverableMany" ? f.count : f.kind === "undeliverable" ? 1 : 0), 0);
    h.remoting.flushBatches();
    await waitFor(() => refused() === 20 - queued.depth, "the refusals");
    const first = h.out.find((f) => "to" in f && f.to === actor.id);
    assert.equal(first !== undefined && "reason" in first && first.reason, "mailbox-full");
  } finally {
    await h.stop();
  }
});
