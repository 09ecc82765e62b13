import assert from "node:assert/strict";
import {
  ActorSystem,
  type ActorSystemOptions,
  childSpec,
  defineActor,
  defineSupervisor,
  MemoryStore,
  type Tell,
} from "../../../mod.ts";
import { createVirtualClock } from "../../../testing.ts";
import { decodeState, encodeState, stateKey } from "../../../actors/persistence/persistence.ts";
import { stateBytes } from "../../../actors/persistence/key_holder.ts";
import { PCounter } from "../../_helpers/persistent.ts";
import { CountingStore } from "../../_helpers/stores.ts";
import { waitFor } from "../../_helpers/system.ts";
import { within } from "../../_helpers/deadline.ts";

const quiet: ActorSystemOptions = { logFailures: false, deadLetters: { logPerSecond: 0 } };

async function storedCount(store: MemoryStore | CountingStore, key: string): Promise<number> {
  const entry = await store.get(stateKey(key));
  return (decodeState(entry!.value, { version: 1 }, key).state as { count: number }).count;
}

Deno.test("a persistent actor continues from its saved state in a new system", async () => {
  const store = new MemoryStore();
  const first = await ActorSystem.start({ ...quiet, store });
  const a = first.spawn(PCounter, { name: "jobs" });
  a.tell("add", 5);
  assert.equal(await a.ask("addAndGet", 2), 7);
  await first.shutdown();

  const second = await ActorSystem.start({ ...quiet, store });
  const b = second.spawn(PCounter, { name: "jobs" });
  b.tell("add", 1); // sent before the load finished: it waits for the loaded state
  assert.equal(await b.ask("get"), 8);
  await second.shutdown();
});

Deno.test("an acknowledged ask means its state is in the store", async () => {
  const store = new CountingStore(new MemoryStore());
  store.putDelayMs = 20;
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    const counter = system.spawn(PCounter, { name: "acked" });
    for (let i = 1; i <= 5; i++) {
      assert.equal(await counter.ask("addAndGet", 1), i);
      assert.equal(await storedCount(store, "acked"), i, `after ask ${i}`);
    }
  } finally {
    await system.shutdown();
  }
});

Deno.test("when writes are slower than turns, only the latest state is written", async () => {
  const store = new CountingStore(new MemoryStore());
  store.putDelayMs = 20;
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    const counter = system.spawn(PCounter, { name: "burst" });
    await counter.ask("get");
    const before = store.puts;
    for (let i = 0; i < 1_000; i++) counter.tell("add", 1);
    assert.equal(await counter.ask("addAndGet", 0), 1_000);
    assert.equal(await storedCount(store, "burst"), 1_000);
    const writes = store.puts - before;
    assert.ok(writes <= 3, `1000 changes were written in ${writes} writes`);
  } finally {
    await system.shutdown();
  }
});

Deno.test("fencing: of two activations on one store, the stale one stops and never overwrites", async () => {
  const store = new MemoryStore();
  const a = await ActorSystem.start({ ...quiet, store });
  const b = await ActorSystem.start({ ...quiet, store });
  try {
    const onA = a.spawn(PCounter, { name: "shared" });
    assert.equal(await onA.ask("addAndGet", 10), 10);
    const onB = b.spawn(PCounter, { name: "shared" }); // loads 10 and claims the state
    assert.equal(await onB.ask("addAndGet", 1), 11);

    const err = await onA.ask("addAndGet", 100).catch((e) => e);
    assert.equal(err.name, "StateConflictError");
    const record = await a.whenStopped(onA);
    assert.equal(record?.kind, "error");
    assert.equal(record?.error?.name, "StateConflictError");
    // It failed storing that turn's state, not while starting.
    assert.equal(record?.messageName, "addAndGet");
    const stopped = await onA.ask("get").catch((e) => e);
    assert.match(stopped.why, /^failed while handling 'addAndGet': StateConflictError/);
    assert.equal(await storedCount(store, "shared"), 11, "the stale activation wrote nothing");
    assert.equal(await onB.ask("addAndGet", 1), 12, "the new activation carries on");
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});

Deno.test("a supervisor restarts a persistent actor from its last saved state, not from init", async () => {
  const store = new MemoryStore();
  const Sup = defineSupervisor({
    type: "psup",
    children: [childSpec(PCounter, { id: "c", name: "restartable" })],
  });
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    await system.spawn(Sup).ask("which");
    const counter = system.lookup("restartable", PCounter)!;
    assert.equal(await counter.ask("addAndGet", 42), 42);
    counter.tell("crash");
    assert.equal(await counter.ask("get"), 42);
    assert.equal(counter.stats().restarts, 1);
  } finally {
    await system.shutdown();
  }
});

Deno.test("a supervisor does not restart a fenced actor", async () => {
  const store = new MemoryStore();
  const Sup = defineSupervisor({
    type: "psup",
    children: [childSpec(PCounter, { id: "c", name: "fenced" })],
  });
  const a = await ActorSystem.start({ ...quiet, store });
  const b = await ActorSystem.start({ ...quiet, store });
  try {
    const sup = a.spawn(Sup);
    await sup.ask("which");
    const onA = a.lookup("fenced", PCounter)!;
    await onA.ask("addAndGet", 1);
    await b.spawn(PCounter, { name: "fenced" }).ask("addAndGet", 1);
    await onA.ask("addAndGet", 1).catch(() => {});
    await a.whenStopped(onA);
    // The child's exit was queued to the supervisor before whenStopped resolved, and the
    // supervisor handles it (a restart without backoff included) before this ask.
    const which = await sup.ask("which");
    assert.deepEqual(which.map((c) => c.status), ["stopped"], "not restarted");
    assert.equal(await store.get(stateKey("fenced")).then((e) => e!.revision > 0), true);
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});

Deno.test("corrupt stored bytes stop the actor at start with StateDecodeError, and stay untouched", async () => {
  const store = new MemoryStore();
  const garbage = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
  const revision = await store.put(stateKey("corrupt"), garbage, 0);
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    const counter = system.spawn(PCounter, { name: "corrupt" });
    const record = await system.whenStopped(counter);
    assert.equal(record?.kind, "error");
    assert.equal(record?.error?.name, "StateDecodeError");
    assert.equal(record?.messageName, undefined);
    const entry = await store.get(stateKey("corrupt"));
    assert.equal(entry?.revision, revision);
    assert.deepEqual(entry?.value, garbage);
  } finally {
    await system.shutdown();
  }
});

Deno.test("state of a newer schema version is refused; an older one is migrated, or refused without migrate", async () => {
  const store = new MemoryStore();
  const v2 = encodeState({ count: 5, unit: "steps" }, { version: 2 });
  await store.put(stateKey("newer"), v2, 0);
  const v0 = encodeState({ n: 7 }, { version: 1 });
  await store.put(stateKey("older"), v0, 0);
  await store.put(stateKey("older-no-hook"), v0, 0);
  const Migrating = defineActor<
    { get: import("../../../mod.ts").Ask<void, number> },
    { count: number }
  >({
    type: "migrating",
    init: () => ({ count: 0 }),
    persistence: {
      version: 2,
      migrate: (from, stored) => {
        assert.equal(from, 1);
        return { count: (stored as { n: number }).n * 10 };
      },
    },
    asks: { get: (s) => ({ state: s, reply: s.count }) },
  });
  const NoHook = defineActor<
    { get: import("../../../mod.ts").Ask<void, number> },
    { count: number }
  >({
    type: "nohook",
    init: () => ({ count: 0 }),
    persistence: { version: 2 },
    asks: { get: (s) => ({ state: s, reply: s.count }) },
  });
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    const newer = system.spawn(PCounter, { name: "newer" });
    assert.match(
      (await system.whenStopped(newer))?.error?.message ?? "",
      /version 2 is newer than .* 1/,
    );
    assert.equal(await system.spawn(Migrating, { name: "older" }).ask("get"), 70);
    // After the holder record (`key_holder.ts`): the format byte, then the version.
    const stored = stateBytes((await store.get(stateKey("older")))!.value);
    assert.equal(
      new DataView(stored.buffer, stored.byteOffset).getUint32(1),
      2,
      "written back as v2",
    );
    const noHook = system.spawn(NoHook, { name: "older-no-hook" });
    assert.match((await system.whenStopped(noHook))?.error?.message ?? "", /no migrate hook/);
  } finally {
    await system.shutdown();
  }
});

Deno.test("an oversized state fails with ValueTooLargeError before any write; the stored state is intact", async () => {
  const store = new MemoryStore({ maxValueBytes: 4_096 });
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    const counter = system.spawn(PCounter, { name: "big" });
    assert.equal(await counter.ask("addAndGet", 3), 3);
    const before = await store.get(stateKey("big"));
    const err = await counter.ask("grow", 10_000).catch((e) => e);
    assert.equal(err.name, "ValueTooLargeError");
    const after = await store.get(stateKey("big"));
    assert.equal(after?.revision, before?.revision);
    assert.equal((await system.whenStopped(counter))?.error?.name, "ValueTooLargeError");
  } finally {
    await system.shutdown();
  }
});

Deno.test("a store down at start for longer than 15 s fails the actor with StoreUnavailableError and writes nothing", async () => {
  const store = new MemoryStore();
  store.available = false;
  const clock = createVirtualClock();
  const system = await ActorSystem.start({ ...quiet, store, clock });
  try {
    const counter = system.spawn(PCounter, { name: "down" });
    const stopped = system.whenStopped(counter);
    for (let t = 0; t < 14_000; t += 500) await clock.advance(500);
    assert.equal(counter.stats().status, "starting", "still trying after 14 s");
    for (let t = 0; t < 2_000; t += 500) await clock.advance(500);
    assert.equal(
      (await within(stopped, 5_000, "the actor to stop"))?.error?.name,
      "StoreUnavailableError",
    );
    store.available = true;
    assert.deepEqual(await store.keys(""), []);
  } finally {
    await system.shutdown();
  }
});

Deno.test("a store down at start for a few seconds (a leader election) is waited out", async () => {
  const store = new MemoryStore();
  store.available = false;
  const clock = createVirtualClock();
  const system = await ActorSystem.start({ ...quiet, store, clock });
  try {
    const counter = system.spawn(PCounter, { name: "patient" });
    const reply = counter.ask("addAndGet", 1, { timeoutMs: 60_000 });
    for (let t = 0; t < 5_000; t += 500) await clock.advance(500);
    store.available = true;
    for (let t = 0; t < 2_000 && counter.stats().status !== "running"; t += 100) {
      await clock.advance(100);
    }
    assert.equal(await within(reply, 5_000, "the reply"), 1);
    assert.equal(await storedCount(store, "patient"), 1);
  } finally {
    await system.shutdown();
  }
});

Deno.test("a short store outage during writes is retried, and the ask is answered once stored", async () => {
  const store = new MemoryStore();
  const clock = createVirtualClock();
  const system = await ActorSystem.start({ ...quiet, store, clock });
  try {
    const counter = system.spawn(PCounter, { name: "flaky" });
    await counter.ask("get");
    store.available = false;
    let answered = false;
    const reply = counter.ask("addAndGet", 1, { timeoutMs: 60_000 })
      .finally(() => answered = true);
    for (let t = 0; t < 150; t += 25) await clock.advance(25);
    assert.equal(answered, false, "no answer while the write cannot be stored");
    store.available = true;
    for (let t = 0; t < 2_000 && !answered; t += 100) await clock.advance(100);
    assert.equal(await within(reply, 5_000, "the reply"), 1);
    assert.equal(await storedCount(store, "flaky"), 1);
  } finally {
    await system.shutdown();
  }
});

Deno.test("a persistent actor needs a name or persistKey, and the key may hold any characters", async () => {
  const store = new MemoryStore();
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    assert.throws(() => system.spawn(PCounter), (err: Error) => err.name === "InvalidOptionError");
    const odd = system.spawn(PCounter, { persistKey: "run 7.shard*>: é" });
    assert.equal(await odd.ask("addAndGet", 1), 1);
    assert.deepEqual(await store.keys("state."), ["state.run=207=2Eshard=2A=3E=3A=20=C3=A9"]);
  } finally {
    await system.shutdown();
  }
});

Deno.test("state that would not come back the same is refused with StateEncodeError", async () => {
  const WithMap = defineActor<{ set: Tell<string> }, { seen: Map<string, number> }>({
    type: "with-map",
    init: () => ({ seen: new Map() }),
    persistence: { version: 1 },
    tells: { set: (s, k) => ({ seen: new Map(s.seen).set(k, 1) }) },
  });
  const store = new MemoryStore();
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    const actor = system.spawn(WithMap, { name: "map" });
    const record = await system.whenStopped(actor);
    assert.equal(record?.error?.name, "StateEncodeError");
    assert.match(record?.error?.message ?? "", /a Map .* at state\.seen/);
  } finally {
    await system.shutdown();
  }
});

Deno.test("encode and decode hooks carry state the codec cannot store directly", async () => {
  const WithMap = defineActor<
    { set: Tell<string>; size: import("../../../mod.ts").Ask<void, number> },
    Map<string, number>
  >({
    type: "with-map-hooks",
    init: () => new Map(),
    persistence: {
      version: 1,
      encode: (m) => [...m],
      decode: (entries) => new Map(entries as [string, number][]),
    },
    tells: { set: (m, k) => new Map(m).set(k, 1) },
    asks: { size: (m) => ({ state: m, reply: m.size }) },
  });
  const store = new MemoryStore();
  for (let run = 1; run <= 2; run++) {
    const system = await ActorSystem.start({ ...quiet, store });
    const actor = system.spawn(WithMap, { name: "hooks" });
    actor.tell("set", `k${run}`);
    assert.equal(await actor.ask("size"), run);
    await system.shutdown();
  }
});

Deno.test("stopping a persistent actor writes its latest state first", async () => {
  const store = new CountingStore(new MemoryStore());
  const system = await ActorSystem.start({ ...quiet, store });
  const counter = system.spawn(PCounter, { name: "flushed" });
  await counter.ask("get");
  store.putDelayMs = 30;
  const handledBefore = counter.stats().handled;
  for (let i = 0; i < 10; i++) counter.tell("add", 1);
  await waitFor(() => counter.stats().handled === handledBefore + 10, "the tells to be handled");
  await system.shutdown(); // a write is still in flight, and more changes wait behind it
  assert.equal(await storedCount(store, "flushed"), 10);
});
