/**
 * The answer to an inspect request is one message: a host with more actors
 * than fit lists the first that do and says so, measured without encoding
 * the whole host.
 */

import assert from "node:assert/strict";
import { packInspectAnswer } from "../../cluster/inspect_cluster.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import type { ActorReport, HostSnapshot } from "../../actors/observe/inspection.ts";

function actor(i: number): ActorReport {
  return {
    id: `h/${i}`,
    name: i % 3 === 0 ? `worker-${i}` : undefined,
    type: "worker",
    hostId: "h",
    parentId: i === 0 ? undefined : "h/0",
    status: "running",
    mailboxDepth: i % 7,
    handled: i * 13,
    restarts: 0,
    lastFailure: undefined,
  };
}

function snapshotOf(count: number, letters = 0): HostSnapshot {
  return {
    host: {
      hostId: "h",
      labels: { zone: "a" },
      state: "alive",
      problem: undefined,
      self: true,
      uptimeMs: 1_000,
      actorCount: count,
      queuedMessages: 0,
      messagesPerSecond: 0,
      connection: "connected",
      loopLagMs: 0,
      refused: undefined,
    },
    actors: Array.from({ length: count }, (_, i) => actor(i)),
    deadLetters: Array.from({ length: letters }, (_, i) => ({
      hostId: "h",
      reason: "unknown-actor" as const,
      targetId: `h/${i}`,
      targetType: "worker",
      messageName: "work",
      kind: "tell" as const,
      payloadPreview: "x".repeat(120),
      error: undefined,
      timestampMs: i,
    })),
    deaths: [],
  };
}

const decode = (bytes: Uint8Array) =>
  unpackValue(bytes, () => undefined) as { ok: true; snapshot: HostSnapshot };

Deno.test("a host whose actors fit is answered whole, without a problem note", async () => {
  const snapshot = snapshotOf(100, 5);
  const bytes = await packInspectAnswer(snapshot, 1 << 20);
  assert.deepEqual(bytes, packValue({ ok: true, snapshot }));
});

Deno.test("a host with 500,000 actors lists as many as fit one message, and says how many it has", async () => {
  const limit = 1 << 20;
  const snapshot = snapshotOf(500_000, 50);
  const bytes = await packInspectAnswer(snapshot, limit);
  assert.ok(bytes.byteLength <= limit, `${bytes.byteLength} bytes`);
  const answer = decode(bytes).snapshot;
  const listed = answer.actors.length;
  assert.ok(listed > 0 && listed < 500_000);
  assert.deepEqual(answer.actors, snapshot.actors.slice(0, listed), "the first ones, unchanged");
  assert.equal(
    answer.host.problem,
    `only ${listed} of its 500000 actors are listed (the answer must fit one message)`,
  );
  assert.equal(answer.host.actorCount, 500_000);
  assert.equal(answer.deadLetters.length, 50, "recent letters are kept while they fit");
  const oneMore = packValue({
    ok: true,
    snapshot: { ...answer, actors: snapshot.actors.slice(0, listed + 60) },
  });
  assert.ok(oneMore.byteLength > limit - 300, "hardly any room is left unused");
});

Deno.test("recent records that alone do not fit are halved until the answer fits", async () => {
  const limit = 64 * 1024;
  const bytes = await packInspectAnswer(snapshotOf(10, 2_000), limit);
  assert.ok(bytes.byteLength <= limit, `${bytes.byteLength} bytes`);
  const answer = decode(bytes).snapshot;
  assert.ok(answer.deadLetters.length > 0 && answer.deadLetters.length < 2_000);
  assert.deepEqual(answer.deadLetters[0], snapshotOf(0, 1).deadLetters[0]);
});
