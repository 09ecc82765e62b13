/**
 * Shard claims in the shared store, between hosts whose views differ: a
 * claim names its holder and the holder's epoch, so a host that rejoined
 * after it was declared lost takes its old claims again by compare-and-set
 * (a read naming it proves nothing: another host may be taking the claim
 * over at that moment), claims nothing while it fences itself, and a claim
 * by a newer epoch than a view has is respected for a grace.
 */

import assert from "node:assert/strict";
import { MemoryStore } from "../../mod.ts";
import {
  claimKey,
  type HolderStanding,
  holderStanding,
  StoreClaims,
  UNKNOWN_HOLDER_GRACE_MS,
} from "../../cluster/entity_claims.ts";
import { HostUnreachableError } from "../../actors/errors.ts";
import { unpackValue } from "../../cluster/codec.ts";

/** One host's claims on a shared store, with its epoch and its view's standings set by the test. */
function host(
  store: MemoryStore,
  id: string,
  views: Map<string, { epoch: number; state: "alive" | "lost" }>,
  clock: { nowMs: number },
) {
  const self = { epoch: 1 };
  const claims = new StoreClaims(
    id,
    () => self.epoch,
    () => Promise.resolve(store),
    (hostId, epoch) => holderStanding(views.get(hostId), epoch),
    () => clock.nowMs,
  );
  return { claims, self };
}

/** A shared store whose claim on shard `t`/3 host `a` took at `epoch`, and a clock far from zero. */
async function aHolds(epoch = 1) {
  const store = new MemoryStore();
  const clock = { nowMs: 1_000_000 };
  const a = host(store, "a", new Map(), clock);
  a.self.epoch = epoch;
  await a.claims.claim("t", 3);
  return { store, clock, a };
}

async function claimValue(store: MemoryStore): Promise<{ value: unknown; revision: number }> {
  const entry = await store.get(claimKey("t", 3));
  assert.ok(entry !== undefined);
  return { value: unpackValue(entry.value, () => undefined), revision: entry.revision };
}

Deno.test("a claim names its holder and the holder's epoch; the same epoch only reads it again", async () => {
  const store = new MemoryStore();
  const clock = { nowMs: 1_000_000 };
  const a = host(store, "a", new Map(), clock);
  assert.deepEqual(await a.claims.claim("t", 3), { kind: "mine" });
  const first = await claimValue(store);
  assert.deepEqual(first.value, { host: "a", epoch: 1 });
  assert.deepEqual(await a.claims.claim("t", 3), { kind: "mine" });
  assert.equal((await claimValue(store)).revision, first.revision, "read, not written");
});

Deno.test("a host that rejoined with a new epoch takes the claim of its old epoch again, so a host taking it over at once on the old revision loses", async () => {
  const { store, clock, a } = await aHolds();
  const bView = new Map([["a", { epoch: 1, state: "lost" as const }]]);
  const old = await claimValue(store);
  // `a` was declared lost, fenced itself and rejoined as epoch 2; `b` still has epoch 1 lost.
  a.self.epoch = 2;
  assert.deepEqual(await a.claims.claim("t", 3), { kind: "mine" });
  const retaken = await claimValue(store);
  assert.deepEqual(retaken.value, { host: "a", epoch: 2 });
  assert.ok(retaken.revision > old.revision, "written by compare-and-set, not trusted on a read");
  // `b` read the old revision just before: its compare-and-set on it fails.
  await assert.rejects(store.put(claimKey("t", 3), new Uint8Array([0x80]), old.revision));
  // And `b`, reading now, sees a newer epoch of `a` than its view has: it respects it.
  const b = host(store, "b", bView, clock);
  assert.deepEqual(await b.claims.claim("t", 3), { kind: "held", hostId: "a" });
});

Deno.test("a fencing host claims nothing, not even a claim that names it, until its epoch changes", async () => {
  const { store, a } = await aHolds();
  a.claims.fenced();
  await assert.rejects(a.claims.claim("t", 3), HostUnreachableError);
  await assert.rejects(a.claims.claim("t", 4), HostUnreachableError);
  a.self.epoch = 2;
  assert.deepEqual(await a.claims.claim("t", 3), { kind: "mine" });
  assert.deepEqual((await claimValue(store)).value, { host: "a", epoch: 2 });
});

Deno.test("a claim by a newer epoch than the view has is respected for the grace from its first sight, then taken over", async () => {
  const { store, clock } = await aHolds(5);
  // `b` has been connected far longer than the grace, and knows only epoch 4 of `a`, lost.
  const b = host(store, "b", new Map([["a", { epoch: 4, state: "lost" as const }]]), clock);
  clock.nowMs += 10 * UNKNOWN_HOLDER_GRACE_MS;
  assert.deepEqual(await b.claims.claim("t", 3), { kind: "held", hostId: "a" });
  clock.nowMs += UNKNOWN_HOLDER_GRACE_MS - 1;
  assert.deepEqual(await b.claims.claim("t", 3), { kind: "held", hostId: "a" });
  clock.nowMs += 1;
  assert.deepEqual(await b.claims.claim("t", 3), { kind: "mine" });
  assert.deepEqual((await claimValue(store)).value, { host: "b", epoch: 1 });
});

Deno.test("a claim by an older epoch of a live host is taken over at once", async () => {
  const { store, clock } = await aHolds();
  const b = host(store, "b", new Map([["a", { epoch: 2, state: "alive" as const }]]), clock);
  assert.deepEqual(await b.claims.claim("t", 3), { kind: "mine" });
});

Deno.test("how a view has a claim's holder, by the epoch the claim names", () => {
  const cases: [
    string,
    { epoch: number; state: "alive" | "lost" | "left" } | undefined,
    number | undefined,
    HolderStanding,
  ][] = [
    ["not in the view", undefined, 3, "unknown"],
    ["the same epoch, alive", { epoch: 3, state: "alive" }, 3, "member"],
    ["the same epoch, lost", { epoch: 3, state: "lost" }, 3, "gone"],
    ["the same epoch, left", { epoch: 3, state: "left" }, 3, "gone"],
    ["an older epoch of a live host", { epoch: 4, state: "alive" }, 3, "gone"],
    ["a newer epoch than a lost one", { epoch: 2, state: "lost" }, 3, "newer"],
    ["no epoch (an older writer), alive", { epoch: 2, state: "alive" }, undefined, "member"],
    ["no epoch, lost", { epoch: 2, state: "lost" }, undefined, "gone"],
  ];
  for (const [what, view, epoch, expected] of cases) {
    assert.equal(holderStanding(view, epoch), expected, what);
  }
});
