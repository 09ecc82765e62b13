/**
 * Compile-time guarantees of typed protocols. Every `@ts-expect-error` line
 * below must be a type error: if one ever type-checks, `deno check` (run by
 * `deno task check` and by `deno test`) fails with "Unused '@ts-expect-error'
 * directive". The test at the bottom runs the well-typed half for real.
 */

import assert from "node:assert/strict";
import {
  type ActorRef,
  type ActorSystem,
  type Ask,
  defineActor,
  MessageKindError,
  type Tell,
  UnknownMessageError,
} from "../mod.ts";
import type { UntypedRef } from "../actors/ref.ts";
import { withSystem } from "./_helpers/system.ts";

type CounterProtocol = {
  add: Tell<number>;
  reset: Tell;
  get: Ask<void, number>;
  scaled: Ask<{ factor: number }, string>;
};

const Counter = defineActor<CounterProtocol, number>({
  type: "typed-counter",
  init: () => 0,
  tells: { add: (n, by) => n + by, reset: () => 0 },
  asks: {
    get: (n) => ({ state: n, reply: n }),
    scaled: (n, { factor }) => ({ state: n, reply: String(n * factor) }),
  },
});

const WithArgs = defineActor<{ ping: Tell }, string, { label: string }>({
  type: "with-args",
  init: ({ label }) => label,
  tells: { ping: (s) => s },
});

/** Never called: it exists to be type-checked. */
async function compileTimeChecks(counter: ActorRef<CounterProtocol>, system: ActorSystem) {
  // Well-typed uses.
  counter.tell("add", 1);
  counter.tell("reset");
  const n: number = await counter.ask("get");
  const s: string = await counter.ask("scaled", { factor: 2 }, { timeoutMs: 100 });
  system.spawn(WithArgs, { args: { label: "x" } });

  // @ts-expect-error an unknown message name
  counter.tell("explode", 1);
  // @ts-expect-error an unknown ask name
  await counter.ask("explode");
  // @ts-expect-error a wrong payload type
  counter.tell("add", "two");
  // @ts-expect-error a missing payload
  counter.tell("add");
  // @ts-expect-error a payload for a message that has none
  counter.tell("reset", 5);
  // @ts-expect-error a wrong payload shape in an ask
  await counter.ask("scaled", { factor: "2" });
  // @ts-expect-error the reply used as the wrong type (get replies with a number)
  const wrong: string = await counter.ask("get");
  // @ts-expect-error tell of an ask-only message
  counter.tell("get");
  // @ts-expect-error ask of a tell-only message (it has no reply)
  await counter.ask("add", 1);
  // @ts-expect-error spawn without the arguments that init needs
  system.spawn(WithArgs);
  // @ts-expect-error spawn with arguments of the wrong type
  system.spawn(WithArgs, { args: { label: 1 } });

  defineActor<CounterProtocol, number>({
    type: "missing-handler",
    init: () => 0,
    tells: { add: (n, by) => n + by, reset: () => 0 },
    // @ts-expect-error the ask handler for "scaled" is missing
    asks: { get: (n) => ({ state: n, reply: n }) },
  });

  defineActor<CounterProtocol, number>({
    type: "extra-handler",
    init: () => 0,
    // @ts-expect-error a handler for a message that is not in the protocol
    tells: { add: (n, by) => n + by, reset: () => 0, extra: (n: number) => n },
    asks: {
      get: (n) => ({ state: n, reply: n }),
      scaled: (n) => ({ state: n, reply: "" }),
    },
  });

  defineActor<CounterProtocol, number>({
    type: "wrong-reply",
    init: () => 0,
    tells: { add: (n, by) => n + by, reset: () => 0 },
    asks: {
      // @ts-expect-error an ask handler replying with the wrong type
      get: (n) => ({ state: n, reply: "not a number" }),
      scaled: (n) => ({ state: n, reply: "" }),
    },
  });

  defineActor<CounterProtocol, number>({
    type: "wrong-state",
    init: () => 0,
    // @ts-expect-error a tell handler returning a state of the wrong type
    tells: { add: () => "zero", reset: () => 0 },
    asks: {
      get: (n) => ({ state: n, reply: n }),
      scaled: (n) => ({ state: n, reply: "" }),
    },
  });

  defineActor<{ tick: Tell; get: Ask<void, number> }, number>({
    type: "timer-kinds",
    init: () => 0,
    tells: { tick: (n) => n + 1 },
    asks: {
      get: (n, _, ctx) => {
        // @ts-expect-error a timer may only send tell messages
        ctx.timers.once("k", 10, "get");
        return { state: n, reply: n };
      },
    },
  });

  return [n, s, wrong];
}

Deno.test("well-typed sends work, and the ill-typed ones are refused at run time too", async () => {
  assert.equal(typeof compileTimeChecks, "function");
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    counter.tell("add", 4);
    assert.equal(await counter.ask("scaled", { factor: 3 }), "12");
    const untyped = counter as unknown as UntypedRef;
    assert.throws(() => untyped.tell("explode", 1), UnknownMessageError);
    assert.throws(() => untyped.tell("get"), MessageKindError);
    await assert.rejects(untyped.ask("add", 1), MessageKindError);
  });
});
