import assert from "node:assert/strict";
import { ActorSystem, defineActor } from "../../mod.ts";
import { createVirtualClock } from "../../testing.ts";
import { actorId, firstSequence, type HostId, parseActorId } from "../../actors/ids.ts";

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
