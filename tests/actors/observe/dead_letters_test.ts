import assert from "node:assert/strict";
import {
  ActorSystem,
  type Ask,
  type DeadLetter,
  defineActor,
  UnknownActorError,
} from "../../../mod.ts";
import { createVirtualClock } from "../../../testing.ts";
import { Counter } from "../../_helpers/actors.ts";
import { withSystem, withVirtualSystem } from "../../_helpers/system.ts";
import { within } from "../../_helpers/deadline.ts";

/** The next dead letter published in `system`, within a second. */
function nextDeadLetter(system: ActorSystem): Promise<DeadLetter> {
  return within(
    new Promise((resolve) => {
      const stop = system.deadLetters.subscribe((letter) => {
        stop();
        resolve(letter);
      });
    }),
    1_000,
    "a dead letter",
  );
}

Deno.test("a tell to a stopped actor is a dead letter with reason, target and message", async () => {
  await withSystem(async (system) => {
    const seen: DeadLetter[] = [];
    system.deadLetters.subscribe((letter) => seen.push(letter));
    const counter = system.spawn(Counter, { name: "gone" });
    await system.stop(counter);
    counter.tell("add", 7);
    assert.equal(seen.length, 1);
    const [letter] = seen;
    assert.equal(letter.reason, "actor-stopped");
    assert.deepEqual(letter.target, { id: counter.id, name: "gone", type: "counter" });
    assert.equal(letter.messageName, "add");
    assert.equal(letter.kind, "tell");
    assert.equal(letter.payload, 7);
    assert.equal(typeof letter.timestampMs, "number");
    assert.equal(letter.error?.name, "ActorStoppedError");
  });
});

Deno.test("sends to an unknown actor id are dead letters, and asks fail fast", async () => {
  await withSystem(async (system) => {
    const ghost = system.resolveRef(
      { $ref: `${system.hostId}/zzz` as never, type: "counter" },
      Counter,
    );
    ghost.tell("add", 1);
    const err = await ghost.ask("get").catch((e) => e);
    assert.ok(err instanceof UnknownActorError);
    assert.deepEqual(system.deadLetters.recent().map((l) => [l.reason, l.kind]), [
      ["unknown-actor", "tell"],
      ["unknown-actor", "ask"],
    ]);
  });
});

Deno.test("a message whose handler throws is a dead letter carrying the error", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    const published = nextDeadLetter(system);
    counter.tell("fail", "boom");
    const letter = await published;
    assert.deepEqual(system.deadLetters.recent(), [letter]);
    assert.equal(letter.reason, "handler-failed");
    assert.equal(letter.payload, "boom");
    assert.equal(letter.error?.name, "Error");
    assert.equal(letter.error?.message, "boom");
    assert.match(letter.error?.stack ?? "", /boom/);
  });
});

Deno.test("a reply that comes after its ask timed out is a dead letter", async () => {
  let answer!: (n: number) => void;
  const Late = defineActor<{ get: Ask<void, number> }, null>({
    type: "late",
    init: () => null,
    asks: {
      get: async (state) => ({ state, reply: await new Promise<number>((r) => answer = r) }),
    },
  });
  await withVirtualSystem(async (system, clock) => {
    const late = system.spawn(Late);
    const reply = late.ask("get", undefined, { timeoutMs: 10 }).catch((e) => e.name);
    await clock.advance(10);
    assert.equal(await reply, "AskTimeoutError");
    const published = nextDeadLetter(system);
    answer(99);
    const letter = await published;
    assert.deepEqual(system.deadLetters.recent(), [letter]);
    assert.equal(letter.reason, "reply-after-timeout");
    assert.equal(letter.kind, "reply");
    assert.equal(letter.payload, 99);
    assert.equal(letter.target.id, late.id);
  });
});

Deno.test("recent keeps only the newest letters, oldest first, and total counts all", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    await system.stop(counter);
    for (let i = 0; i < 12; i++) counter.tell("add", i);
    assert.equal(system.deadLetters.total, 12);
    assert.deepEqual(system.deadLetters.recent().map((l) => l.payload), [7, 8, 9, 10, 11]);
    assert.deepEqual(system.deadLetters.recent(2).map((l) => l.payload), [10, 11]);
  }, { deadLetters: { keep: 5 } });
});

Deno.test("kept letters hold at most keepPayloadBytes of buffers: the oldest lose their payload first", async () => {
  const Sink = defineActor<{ take: Ask<Float64Array, void> }, null>({
    type: "sink",
    init: () => null,
    asks: { take: (state) => ({ state, reply: undefined }) },
  });
  await withSystem(async (system) => {
    const sink = system.spawn(Sink);
    await system.stop(sink);
    const seen: unknown[] = [];
    system.deadLetters.subscribe((l) => seen.push(l.payload));
    for (let i = 0; i < 10; i++) {
      await sink.ask("take", new Float64Array(1024).fill(i)).catch(() => {});
    }
    const kept = system.deadLetters.recent();
    assert.equal(kept.length, 10, "every letter is still kept");
    const dropped = kept.filter((l) => typeof l.payload === "string");
    assert.deepEqual(dropped.map((l) => l.payload), Array(6).fill("<dropped: 8192 bytes>"));
    assert.ok(kept.slice(0, 6).every((l) => typeof l.payload === "string"), "the oldest six");
    assert.deepEqual([...(kept[9].payload as Float64Array)].slice(0, 2), [9, 9]);
    assert.ok(seen.every((p) => p instanceof Float64Array), "subscribers saw every payload");
  }, { deadLetters: { keepPayloadBytes: 4 * 8192 } });
});

Deno.test("an unsubscribed listener hears nothing more, and a throwing listener breaks nothing", async () => {
  await withSystem(async (system) => {
    const heard: unknown[] = [];
    const stop = system.deadLetters.subscribe((l) => heard.push(l.payload));
    const originalError = console.error;
    console.error = () => {};
    try {
      system.deadLetters.subscribe(() => {
        throw new Error("listener bug");
      });
      const counter = system.spawn(Counter);
      await system.stop(counter);
      counter.tell("add", 1);
      stop();
      counter.tell("add", 2);
      assert.deepEqual(heard, [1]);
      assert.equal(system.deadLetters.total, 2);
    } finally {
      console.error = originalError;
    }
  });
});

Deno.test("dead letters are logged at most logPerSecond times a second, then summarised", async () => {
  const lines: string[] = [];
  const clock = createVirtualClock();
  const system = await ActorSystem.start({
    clock,
    deadLetters: { logPerSecond: 2 },
    log: { sink: (record) => void lines.push(record.text) },
  });
  try {
    const counter = system.spawn(Counter);
    await system.stop(counter);
    for (let i = 0; i < 5; i++) counter.tell("add", i);
    await clock.advance(1_000);
    counter.tell("add", 5);
  } finally {
    await system.shutdown();
  }
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^\[dead letter\] actor-stopped: tell 'add' to \w+\/0: ActorStoppedError/);
  assert.equal(lines[2], "[dead letter] 3 more dead letters not shown");
  assert.match(lines[3], /actor-stopped: tell 'add'/);
});
