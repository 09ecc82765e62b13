/**
 * Remoting, tested with bytes: batches of frames go in as a peer host would
 * send them, and what comes out is checked as frames on the peer's inbox and
 * as dead letters here. No membership, no second host: one runtime, its
 * remoting, and the in-memory bus.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor, type Tell } from "../../mod.ts";
import { remotingHarness } from "../_helpers/remoting_harness.ts";
import { PROTOCOL_VERSION } from "../../cluster/codec.ts";

const Box = defineActor<{ put: Tell<number>; sum: Ask<void, number> }, number>({
  type: "box",
  init: () => 0,
  tells: { put: (n, x) => n + x },
  asks: { sum: (n) => ({ state: n, reply: n }) },
});

Deno.test("a tell frame reaches the actor, and nothing goes back", async () => {
  const h = remotingHarness();
  try {
    const box = h.runtime.spawn(Box as never, { name: "box" } as never, undefined).ref;
    h.send({ kind: "tell", to: box.id, name: "put", body: 5 });
    h.send({
      kind: "ask",
      to: box.id,
      name: "sum",
      body: undefined,
      correlation: 1,
      timeoutMs: 500,
    });
    assert.deepEqual(await h.next(1), [{ kind: "reply", correlation: 1, body: 5 }]);
    assert.deepEqual(h.runtime.deadLetters.recent(), []);
  } finally {
    await h.stop();
  }
});

Deno.test("a tell to an unknown actor goes back as frame 4, with no dead letter here", async () => {
  const h = remotingHarness();
  try {
    h.send({ kind: "tell", to: "here/999", name: "put", body: 1 });
    const [frame] = await h.next(1);
    assert.deepEqual(frame, {
      kind: "undeliverable",
      to: "here/999",
      name: "put",
      reason: "unknown-actor",
      body: 1,
    });
    assert.deepEqual(h.runtime.deadLetters.recent(), []);
  } finally {
    await h.stop();
  }
});

Deno.test("a tell of a message the actor lacks goes back as frame 4 with its type", async () => {
  const h = remotingHarness();
  try {
    const box = h.runtime.spawn(Box as never, undefined, undefined).ref;
    h.send({ kind: "tell", to: box.id, name: "nope", body: 1 });
    const [frame] = await h.next(1);
    assert.deepEqual(frame, {
      kind: "undeliverable",
      to: box.id,
      name: "nope",
      reason: "unknown-message",
      body: 1,
      type: "box",
    });
    assert.deepEqual(h.runtime.deadLetters.recent(), []);
  } finally {
    await h.stop();
  }
});

Deno.test("an ask to an unknown actor is answered with frame 3, code unknown_actor", async () => {
  const h = remotingHarness();
  try {
    h.send({
      kind: "ask",
      to: "here/77",
      name: "sum",
      body: undefined,
      correlation: 9,
      timeoutMs: 500,
    });
    const [frame] = await h.next(1);
    assert.equal(frame.kind, "replyError");
    assert.equal(frame.kind === "replyError" && frame.correlation, 9);
    assert.equal(frame.kind === "replyError" && frame.error.code, "unknown_actor");
  } finally {
    await h.stop();
  }
});

Deno.test("a reply nobody here waits for is one dead letter reply-after-timeout", async () => {
  const h = remotingHarness();
  try {
    h.send({ kind: "reply", correlation: 12345, body: "late" });
    const letters = h.runtime.deadLetters.recent();
    assert.equal(letters.length, 1);
    assert.equal(letters[0].reason, "reply-after-timeout");
    assert.equal(letters[0].payload, "late");
  } finally {
    await h.stop();
  }
});

Deno.test("a batch whose frame is not MessagePack is refused, counted by reason, and recorded", async () => {
  const h = remotingHarness();
  try {
    h.remoting.receive({
      subject: "actors.wire.peer.to.here",
      data: Uint8Array.from([PROTOCOL_VERSION, 4, 112, 101, 101, 114, 0xc1]),
      reply: undefined,
      noResponders: false,
    });
    assert.deepEqual(h.remoting.stats.rejected, { undecodable: 1 });
    assert.equal(h.runtime.deadLetters.recent()[0].reason, "undecodable");
  } finally {
    await h.stop();
  }
});
