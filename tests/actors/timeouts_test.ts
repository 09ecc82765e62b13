/**
 * Timeouts out of a timer's range (above 2^31-1 ms, not finite, not
 * positive) are refused at the call with `InvalidOptionError`, never armed as
 * a timer that the platform turns into 1 ms.
 */

import assert from "node:assert/strict";
import {
  ActorSystem,
  type Ask,
  childSpec,
  defineActor,
  defineSupervisor,
  InvalidOptionError,
  type Tell,
} from "../../mod.ts";
import { withSystem } from "../_helpers/system.ts";

const TOO_LONG_MS = 2 ** 31;

const Echo = defineActor<{ echo: Ask<number, number>; tick: Tell }, null>({
  type: "timeouts-echo",
  init: () => null,
  tells: { tick: (s) => s },
  asks: { echo: (s, n) => ({ state: s, reply: n }) },
});

const Timing = defineActor<
  { arm: Ask<{ delayMs?: number; intervalMs?: number }, string>; tick: Tell },
  null
>({
  type: "timeouts-timing",
  init: () => null,
  tells: { tick: (s) => s },
  asks: {
    arm: (s, { delayMs, intervalMs }, ctx) => {
      try {
        if (delayMs !== undefined) ctx.timers.once("k", delayMs, "tick");
        if (intervalMs !== undefined) ctx.timers.every("k", intervalMs, "tick");
        return { state: s, reply: "armed" };
      } catch (err) {
        return { state: s, reply: InvalidOptionError.is(err) ? "invalid" : String(err) };
      }
    },
  },
});

Deno.test("an ask timeout above 2^31-1 ms, not finite or not positive is refused with InvalidOptionError", async () => {
  await withSystem(async (system) => {
    const echo = system.spawn(Echo);
    for (const timeoutMs of [TOO_LONG_MS, 1e300, Infinity, NaN, 0, -5]) {
      await assert.rejects(
        echo.ask("echo", 1, { timeoutMs }),
        (err) => InvalidOptionError.is(err) && /2147483647/.test(err.message),
        `timeoutMs ${timeoutMs}`,
      );
    }
    assert.equal(await echo.ask("echo", 7, { timeoutMs: 2 ** 31 - 1 }), 7);
  });
});

Deno.test("timer delays and intervals above 2^31-1 ms are refused with InvalidOptionError", async () => {
  await withSystem(async (system) => {
    const timing = system.spawn(Timing);
    assert.equal(await timing.ask("arm", { delayMs: TOO_LONG_MS }), "invalid");
    assert.equal(await timing.ask("arm", { intervalMs: TOO_LONG_MS }), "invalid");
    assert.equal(await timing.ask("arm", { delayMs: 2 ** 31 - 1 }), "armed");
  });
});

Deno.test("system, stop and child-spec timeouts above 2^31-1 ms are refused with InvalidOptionError", async () => {
  await assert.rejects(
    ActorSystem.start({ askTimeoutMs: TOO_LONG_MS }),
    (err) => InvalidOptionError.is(err),
  );
  assert.throws(
    () => childSpec(Echo, { id: "c", shutdownTimeoutMs: TOO_LONG_MS }),
    (err) => InvalidOptionError.is(err),
  );
  assert.throws(
    () =>
      defineSupervisor({
        type: "timeouts-sup",
        strategy: { kind: "one_for_one", maxRestarts: 1, withinMs: TOO_LONG_MS },
        children: [],
      }),
    (err) => InvalidOptionError.is(err),
  );
  await withSystem(async (system) => {
    const echo = system.spawn(Echo);
    await assert.rejects(
      system.stop(echo, { timeoutMs: TOO_LONG_MS }),
      (err) => InvalidOptionError.is(err),
    );
    assert.equal(await echo.ask("echo", 3), 3, "the refused stop left it running");
  });
});
