/**
 * Remote spawn requests carry an id: one lost with a connection that
 * dropped for a moment is asked again within seconds, and a repeated id is
 * answered once, with the same actor. A spawn still unanswered at the spawn
 * timeout is cancelled: what it started stops on its host.
 */

import assert from "node:assert/strict";
import { ActorSystem, defineActor, type Tell } from "../../mod.ts";
import { RequestTimeoutError } from "../../base/errors.ts";
import { createVirtualClock } from "../../testing.ts";
import { MemoryBus } from "../../transport/memory_bus.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { Subjects } from "../../transport/subjects.ts";
import { Counter } from "../_helpers/actors.ts";

async function twoHosts(deliveryDelayMs?: number) {
  const clock = createVirtualClock(1_000_000);
  const bus = new MemoryBus({
    clock,
    ...(deliveryDelayMs === undefined ? {} : { deliveryDelayMs: () => deliveryDelayMs }),
  });
  const links = [bus.connect(), bus.connect()];
  const hosts = await Promise.all(links.map((transport, i) =>
    ActorSystem.start({
      hostId: `s${i}`,
      clock,
      logFailures: false,
      deadLetters: { logPerSecond: 0 },
      cluster: { name: "sr", transport, heartbeatIntervalMs: 100, suspicionTimeoutMs: 500 },
    })
  ));
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 20) await clock.advance(20);
  };
  await step(300);
  /** Shuts both hosts down, moving virtual time while they do. */
  const stop = async () => {
    const done = Promise.all(hosts.map((h) => h.shutdown({ timeoutMs: 200 })));
    await step(500);
    await done;
  };
  return { clock, links, hosts, step, stop };
}

Deno.test("a spawn request lost in flight is asked again after 2 s instead of failing after 10 s", async () => {
  const { clock, links, hosts: [a, b], step, stop } = await twoHosts(30);
  try {
    const started = clock.now();
    let spawnedAt: number | undefined;
    const spawning = a.spawn(Counter, { placement: { kind: "host", hostId: "s1" } })
      .then((ref) => (spawnedAt = clock.now(), ref));
    await step(10);
    links[1].setConnected(false); // the request is in flight: it is lost
    await step(100);
    links[1].setConnected(true); // back well within the suspicion timeout
    for (let i = 0; i < 500 && spawnedAt === undefined; i++) await step(20);
    const ref = await spawning;
    assert.ok(
      spawnedAt! - started < 5_000,
      `answered after ${spawnedAt! - started} ms of virtual time`,
    );
    assert.ok(ref.id.startsWith("s1/"));
    assert.equal(b.actorCount, 1, "one actor, not two");
  } finally {
    await stop();
  }
});

Deno.test("a spawn request repeated with the same id is answered once, with the same actor", async () => {
  const { links, hosts: [, b], step, stop } = await twoHosts();
  try {
    const subject = new Subjects("sr", "actors", "s0").control("s1", "spawn");
    const request = packValue({ type: Counter.type, requestId: "r-1" });
    const ask = async () => {
      const answering = links[0].request(subject, request, 1_000);
      await step(20);
      return unpackValue(await answering, () => undefined) as { ok: boolean; id: string };
    };
    const first = await ask();
    const second = await ask();
    assert.equal(first.ok, true);
    assert.equal(second.id, first.id);
    assert.equal(b.actorCount, 1);
    const other = await (async () => {
      const answering = links[0].request(
        subject,
        packValue({ type: Counter.type, requestId: "r-2" }),
        1_000,
      );
      await step(20);
      return unpackValue(await answering, () => undefined) as { id: string };
    })();
    assert.notEqual(other.id, first.id, "another id is another spawn");
    assert.equal(b.actorCount, 2);
  } finally {
    await stop();
  }
});

/** Starts of `Slow` wait while the gate is closed. */
const gate = { open: Promise.withResolvers<void>(), waiting: 0 };
const Slow = defineActor<{ noop: Tell }, number>({
  type: "slow-to-start",
  init: async () => {
    gate.waiting++;
    await gate.open.promise;
    return 0;
  },
  tells: { noop: (n) => n },
});

Deno.test("a spawn still starting at the spawn timeout fails with RequestTimeoutError and its actor stops on its host", async () => {
  const { hosts: [a, b], step, stop } = await twoHosts();
  try {
    let failure: unknown;
    const spawning = a.spawn(Slow, { placement: { kind: "host", hostId: "s1" } })
      .catch((err) => failure = err);
    for (let i = 0; i < 600 && failure === undefined; i++) await step(20);
    await spawning;
    assert.ok(RequestTimeoutError.is(failure), String(failure));
    assert.equal(gate.waiting, 1, "its init was still running");
    gate.open.resolve();
    for (let i = 0; i < 100 && b.actorCount > 0; i++) await step(20);
    assert.equal(b.actorCount, 0, "the actor its caller gave up on does not live on");
  } finally {
    gate.open.resolve();
    await stop();
  }
});

Deno.test("a cancelled spawn request that arrives late starts nothing, and only its requester can cancel it", async () => {
  const { links, hosts: [, b], step, stop } = await twoHosts();
  try {
    const ask = async (from: string, body: Record<string, unknown>) => {
      const subject = new Subjects("sr", "actors", from).control("s1", "spawn");
      const answering = links[0].request(subject, packValue(body), 1_000);
      await step(20);
      return unpackValue(await answering, () => undefined) as Record<string, unknown>;
    };
    assert.deepEqual(await ask("s0", { cancel: "late" }), { ok: true, stopped: 0 });
    const late = await ask("s0", { type: Counter.type, requestId: "late" });
    assert.equal(late.ok, false);
    assert.equal((late.error as { code: string }).code, "spawn_cancelled");
    assert.equal(b.actorCount, 0, "the late request started nothing");

    const kept = await ask("s0", { type: Counter.type, requestId: "kept" });
    assert.equal(kept.ok, true);
    assert.deepEqual(await ask("s9", { cancel: "kept" }), { ok: true, stopped: 0 });
    await step(100);
    assert.equal(b.actorCount, 1, "another member's cancel stops nothing");
    assert.deepEqual(await ask("s0", { cancel: "kept" }), { ok: true, stopped: 1 });
    for (let i = 0; i < 50 && b.actorCount > 0; i++) await step(20);
    assert.equal(b.actorCount, 0, "its requester's cancel stops it");
  } finally {
    await stop();
  }
});
