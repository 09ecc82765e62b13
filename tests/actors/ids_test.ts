import assert from "node:assert/strict";
import { ActorSystem, type Ask, defineActor, UnknownActorError } from "../../mod.ts";
import { createVirtualClock } from "../../testing.ts";
import {
  type ActorId,
  actorId,
  firstSequence,
  type HostId,
  parseActorId,
} from "../../actors/ids.ts";

const Pong = defineActor<{ ping: Ask<void, string> }, null>({
  type: "pong",
  init: () => null,
  asks: { ping: (s) => ({ state: s, reply: "pong" }) },
});
const Idle = defineActor<Record<never, never>, null>({ type: "idle", init: () => null, tells: {} });

Deno.test("a host with a random id counts its actors from 0", async () => {
  const system = await ActorSystem.start();
  try {
    assert.equal(system.spawn(Idle).id, `${system.hostId}/0`);
  } finally {
    await system.shutdown();
  }
});

Deno.test("a restarted process of a chosen host id never reuses an id of the previous one", async () => {
  const clock = createVirtualClock(1_700_000_000_000);
  const first = await ActorSystem.start({ hostId: "gpu-1", clock });
  const old = Array.from({ length: 500 }, () => first.spawn(Idle).id);
  await first.shutdown();
  await clock.advance(1);
  const second = await ActorSystem.start({ hostId: "gpu-1", clock });
  try {
    const fresh = second.spawn(Idle).id;
    assert.ok(!old.includes(fresh), `${fresh} was used before`);
    assert.ok(fresh.startsWith("gpu-1/"));
  } finally {
    await second.shutdown();
  }
});

Deno.test("actor ids round-trip through parseActorId, also at start-time sequences", () => {
  for (const sequence of [0, 35, 36, firstSequence(true, Date.now()) + 12345]) {
    const id = actorId("h1" as HostId, sequence);
    assert.deepEqual(parseActorId(id), { host: "h1", sequence });
  }
  assert.ok(Number.isSafeInteger(firstSequence(true, Date.UTC(2200, 0, 1)) + 2 ** 30));
  assert.equal(parseActorId("h1/0x"), undefined);
  assert.equal(parseActorId("h1/"), undefined);
});

Deno.test("an id whose sequence is not written as actorId writes it is no actor id", () => {
  for (
    const bad of ["h1/01", "h1/A", "h1/-1", "h1/1.5", "h1/ 1", "/1", "h1/zzzzzzzzzzzz", "h1/1/"]
  ) {
    assert.equal(parseActorId(bad), undefined, bad);
  }
  const largest = actorId("h1" as HostId, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(parseActorId(largest), { host: "h1", sequence: Number.MAX_SAFE_INTEGER });
  assert.equal(parseActorId("a/b/1")?.host, "a/b");
});

Deno.test("a local actor is found by its id and not by a near miss of it", async () => {
  const system = await ActorSystem.start({ hostId: "near" });
  try {
    const ref = system.spawn(Pong);
    const sequence = ref.id.slice("near/".length);
    const found = system.resolveRef({ $ref: ref.id, type: "pong" }, Pong);
    assert.equal(await found.ask("ping"), "pong");
    for (
      const miss of [
        `nearby/${sequence}`,
        `nea/${sequence}`,
        `near/0${sequence}`,
        `near${sequence}`,
      ]
    ) {
      const missed = system.resolveRef({ $ref: miss as ActorId, type: "pong" }, Pong);
      await assert.rejects(missed.ask("ping"), UnknownActorError, miss);
    }
  } finally {
    await system.shutdown();
  }
});
