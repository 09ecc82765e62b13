import assert from "node:assert/strict";
import {
  ActorSystem,
  defineActor,
  InvalidNameError,
  InvalidOptionError,
  MessageKindError,
  SystemStoppedError,
  type Tell,
  UnknownMessageError,
} from "../../mod.ts";
import type { UntypedRef } from "../../actors/ref.ts";
import { Counter } from "../_helpers/actors.ts";
import { withSystem } from "../_helpers/system.ts";

const badNames: [string, unknown][] = [
  ["empty", ""],
  ["too long", "x".repeat(129)],
  ["10 KB long", "y".repeat(10_240)],
  ["a dot", "a.b"],
  ["a star", "a*"],
  ["a greater-than", "a>"],
  ["a space", "a b"],
  ["a tab", "a\tb"],
  ["a newline", "a\n"],
  ["a slash", "a/b"],
  ["not a string", 42],
];

for (const [what, name] of badNames) {
  Deno.test(`a spawn name with ${what} is refused with InvalidNameError and spawns nothing`, async () => {
    await withSystem(async (system) => {
      const bystander = system.spawn(Counter);
      bystander.tell("add", 1);
      assert.throws(() => system.spawn(Counter, { name: name as string }), InvalidNameError);
      assert.equal(system.actorCount, 1);
      assert.equal(await bystander.ask("get"), 1, "other actors are unaffected");
    });
  });
}

Deno.test("a name of exactly 128 allowed characters is accepted", async () => {
  await withSystem((system) => {
    const name = "a-Z_9:".repeat(22).slice(0, 128);
    assert.equal(system.spawn(Counter, { name }).name, name);
  });
});

Deno.test("an actor type that breaks the naming rules is refused by defineActor", () => {
  for (const type of ["", "has space", "dot.ted", "x".repeat(200)]) {
    assert.throws(
      () => defineActor<{ a: Tell }, null>({ type, init: () => null, tells: { a: (s) => s } }),
      InvalidNameError,
    );
  }
});

Deno.test("a definition with a non-function handler or init is refused", () => {
  assert.throws(
    () => defineActor<{ a: Tell }, null>({ type: "t", init: () => null, tells: { a: 5 as never } }),
    InvalidOptionError,
  );
  assert.throws(
    () => defineActor<{ a: Tell }, null>({ type: "t", init: 1 as never, tells: { a: (s) => s } }),
    InvalidOptionError,
  );
});

for (const timeoutMs of [0, -5, NaN, Infinity, "100" as unknown as number]) {
  Deno.test(`an ask timeout of ${JSON.stringify(timeoutMs) ?? String(timeoutMs)} is refused with InvalidOptionError`, async () => {
    await withSystem(async (system) => {
      const counter = system.spawn(Counter);
      await assert.rejects(counter.ask("get", undefined, { timeoutMs }), InvalidOptionError);
      assert.equal(await counter.ask("get"), 0, "the actor still answers");
    });
  });
}

Deno.test("stop and shutdown timeouts that cannot work are refused", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    await assert.rejects(system.stop(counter, { timeoutMs: -1 }), InvalidOptionError);
    await assert.rejects(system.shutdown({ timeoutMs: 0 }), InvalidOptionError);
    assert.equal(system.status, "running");
  });
  await assert.rejects(ActorSystem.start({ askTimeoutMs: NaN }), InvalidOptionError);
  await assert.rejects(ActorSystem.start({ stopTimeoutMs: -1 }), InvalidOptionError);
  await assert.rejects(ActorSystem.start({ hostId: "bad host" }), InvalidNameError);
});

Deno.test("a message name outside the protocol, sent untyped, is refused and dead-lettered", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    const untyped = counter as unknown as UntypedRef;
    assert.throws(() => untyped.tell("explode", 1), UnknownMessageError);
    assert.throws(() => untyped.tell("__proto__", 1), UnknownMessageError);
    assert.throws(() => untyped.tell("constructor", 1), UnknownMessageError);
    await assert.rejects(untyped.ask("explode", 1), UnknownMessageError);
    assert.equal(
      system.deadLetters.recent().filter((l) => l.reason === "unknown-message").length,
      4,
    );
    counter.tell("add", 2);
    assert.equal(await counter.ask("get"), 2, "the actor is unaffected");
  });
});

Deno.test("a tell of an ask message and an ask of a tell message are refused with MessageKindError", async () => {
  await withSystem(async (system) => {
    const untyped = system.spawn(Counter) as unknown as UntypedRef;
    assert.throws(() => untyped.tell("get"), MessageKindError);
    await assert.rejects(untyped.ask("add", 1), MessageKindError);
  });
});

Deno.test("an ask handler returning something other than { state, reply } fails only that actor", async () => {
  const Broken = defineActor<{ get: import("../../mod.ts").Ask<void, number> }, number>({
    type: "broken",
    init: () => 0,
    asks: { get: () => 42 as never },
  });
  await withSystem(async (system) => {
    const broken = system.spawn(Broken);
    const bystander = system.spawn(Counter);
    const err = await broken.ask("get").catch((e) => e);
    assert.equal(err.name, "ActorFailedError");
    assert.equal(err.cause.name, "InvalidHandlerResultError");
    assert.equal(await bystander.ask("get"), 0);
  });
});

Deno.test("an init that throws stops only that actor; its pending asks are rejected", async () => {
  const Doomed = defineActor<{ get: import("../../mod.ts").Ask<void, number> }, number>({
    type: "doomed",
    init: () => {
      throw new Error("no GPU");
    },
    asks: { get: (n) => ({ state: n, reply: n }) },
  });
  const originalError = console.error;
  const logged: string[] = [];
  console.error = (line: string) => logged.push(line);
  try {
    await withSystem(async (system) => {
      const doomed = system.spawn(Doomed);
      const err = await doomed.ask("get").catch((e) => e);
      assert.equal(err.name, "ActorStoppedError");
      assert.equal(doomed.stats().status, "stopped");
      assert.equal(await system.spawn(Counter).ask("get"), 0);
      const record = system.deaths.last(doomed);
      assert.equal(record?.kind, "error");
      assert.equal(record?.messageName, undefined, "init, not a message, failed");
      assert.equal(record?.error?.message, "no GPU");
    }, { logFailures: true });
  } finally {
    console.error = originalError;
  }
  assert.match(logged[0], /doomed \S+ failed while starting: Error: no GPU/);
});

Deno.test("spawning on a stopped system is refused with SystemStoppedError", async () => {
  const system = await ActorSystem.start();
  await system.shutdown();
  assert.throws(() => system.spawn(Counter, { name: "late" }), SystemStoppedError);
});
