import assert from "node:assert/strict";
import {
  type Ask,
  defineActor,
  InvalidOptionError,
  type Tell,
  UnknownMessageError,
} from "../../mod.ts";
import { withVirtualSystem } from "../_helpers/system.ts";

type TimedProtocol = {
  tick: Tell<string>;
  once: Ask<{ key: string; delayMs: number; label: string }, void>;
  every: Ask<{ key: string; intervalMs: number; label: string }, void>;
  cancel: Ask<string, boolean>;
  active: Ask<string, boolean>;
  log: Ask<void, string[]>;
  bad: Ask<{ delayMs: number }, string>;
};

const Timed = defineActor<TimedProtocol, string[]>({
  type: "timed",
  init: () => [],
  tells: { tick: (log, label) => [...log, label] },
  asks: {
    once: (log, { key, delayMs, label }, ctx) => {
      ctx.timers.once(key, delayMs, "tick", label);
      return { state: log, reply: undefined };
    },
    every: (log, { key, intervalMs, label }, ctx) => {
      ctx.timers.every(key, intervalMs, "tick", label);
      return { state: log, reply: undefined };
    },
    cancel: (log, key, ctx) => ({ state: log, reply: ctx.timers.cancel(key) }),
    active: (log, key, ctx) => ({ state: log, reply: ctx.timers.has(key) }),
    log: (log) => ({ state: log, reply: log }),
    bad: (log, { delayMs }, ctx) => {
      try {
        ctx.timers.once("bad", delayMs, "tick", "x");
        return { state: log, reply: "accepted" };
      } catch (err) {
        return { state: log, reply: (err as Error).name };
      }
    },
  },
});

Deno.test("a once timer sends its message to self after the delay, once", async () => {
  await withVirtualSystem(async (system, clock) => {
    const timed = system.spawn(Timed);
    await timed.ask("once", { key: "k", delayMs: 100, label: "hello" });
    assert.equal(await timed.ask("active", "k"), true);
    await clock.advance(99);
    assert.deepEqual(await timed.ask("log"), []);
    await clock.advance(1);
    assert.deepEqual(await timed.ask("log"), ["hello"]);
    await clock.advance(1_000);
    assert.deepEqual(await timed.ask("log"), ["hello"]);
    assert.equal(await timed.ask("active", "k"), false);
  });
});

Deno.test("an every timer repeats at its interval until cancelled", async () => {
  await withVirtualSystem(async (system, clock) => {
    const timed = system.spawn(Timed);
    await timed.ask("every", { key: "beat", intervalMs: 10, label: "beat" });
    await clock.advance(35);
    assert.deepEqual(await timed.ask("log"), ["beat", "beat", "beat"]);
    assert.equal(await timed.ask("cancel", "beat"), true);
    assert.equal(await timed.ask("cancel", "beat"), false);
    await clock.advance(100);
    assert.equal((await timed.ask("log")).length, 3);
  });
});

Deno.test("starting a timer with a key in use replaces the old timer", async () => {
  await withVirtualSystem(async (system, clock) => {
    const timed = system.spawn(Timed);
    await timed.ask("once", { key: "k", delayMs: 50, label: "first" });
    await timed.ask("once", { key: "k", delayMs: 80, label: "second" });
    await clock.advance(200);
    assert.deepEqual(await timed.ask("log"), ["second"]);
  });
});

Deno.test("an actor's timers are cancelled when it stops", async () => {
  await withVirtualSystem(async (system, clock) => {
    const timed = system.spawn(Timed);
    await timed.ask("every", { key: "beat", intervalMs: 10, label: "beat" });
    const before = clock.pendingTimers;
    await system.stop(timed);
    assert.equal(clock.pendingTimers, before - 1);
    await clock.advance(100);
    assert.equal(system.deadLetters.total, 0, "no tick reached the stopped actor");
  });
});

Deno.test("a negative or non-finite delay is refused with InvalidOptionError", async () => {
  await withVirtualSystem(async (system) => {
    const timed = system.spawn(Timed);
    for (const delayMs of [-1, NaN, Infinity]) {
      assert.equal(await timed.ask("bad", { delayMs }), "InvalidOptionError");
    }
    assert.equal(await timed.ask("bad", { delayMs: 0 }), "accepted");
  });
});

Deno.test("timers refuse a zero interval and an unknown message name", async () => {
  const Direct = defineActor<{ go: Ask<string, string>; tick: Tell }, null>({
    type: "direct",
    init: () => null,
    tells: { tick: (s) => s },
    asks: {
      go: (state, which, ctx) => {
        try {
          if (which === "zero") ctx.timers.every("k", 0, "tick");
          else (ctx.timers as unknown as { once: (...a: unknown[]) => void }).once("k", 5, "nope");
          return { state, reply: "accepted" };
        } catch (err) {
          return {
            state,
            reply: err instanceof InvalidOptionError
              ? "invalid"
              : err instanceof UnknownMessageError
              ? "unknown"
              : "other",
          };
        }
      },
    },
  });
  await withVirtualSystem(async (system) => {
    const direct = system.spawn(Direct);
    assert.equal(await direct.ask("go", "zero"), "invalid");
    assert.equal(await direct.ask("go", "unknown"), "unknown");
  });
});
