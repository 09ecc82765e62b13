import assert from "node:assert/strict";
import {
  childSpec,
  defineActor,
  defineSupervisor,
  DuplicateChildIdError,
  InvalidNameError,
  InvalidOptionError,
  type SupervisorStrategy,
  type Tell,
} from "../../../mod.ts";
import { backoffDelayMs } from "../../../actors/supervision/backoff.ts";
import { RestartWindow } from "../../../actors/supervision/restart_intensity.ts";

const Worker = defineActor<{ work: Tell }, null>({
  type: "w",
  init: () => null,
  tells: { work: (s) => s },
});

const badStrategies: [string, unknown][] = [
  ["an unknown kind", { kind: "one_for_some" }],
  ["negative maxRestarts", { kind: "one_for_one", maxRestarts: -1 }],
  ["fractional maxRestarts", { kind: "one_for_one", maxRestarts: 1.5 }],
  ["a zero window", { kind: "one_for_one", withinMs: 0 }],
  ["an infinite window", { kind: "one_for_one", withinMs: Infinity }],
  ["a NaN window", { kind: "one_for_one", withinMs: NaN }],
  ["min backoff above max", { kind: "one_for_one", backoff: { minMs: 500, maxMs: 100 } }],
  ["a zero min backoff", { kind: "one_for_one", backoff: { minMs: 0, maxMs: 100 } }],
  ["a backoff factor below 1", {
    kind: "one_for_one",
    backoff: { minMs: 1, maxMs: 100, factor: 0.5 },
  }],
  ["a jitter above 1", { kind: "one_for_one", backoff: { minMs: 1, maxMs: 100, jitter: 2 } }],
];

for (const [what, strategy] of badStrategies) {
  Deno.test(`a strategy with ${what} is refused with InvalidOptionError at supervisor creation`, () => {
    assert.throws(
      () => defineSupervisor({ type: "s", strategy: strategy as SupervisorStrategy, children: [] }),
      InvalidOptionError,
    );
  });
}

Deno.test("maxRestarts 0 is allowed: the first failure escalates", () => {
  const window = new RestartWindow(0, 1_000);
  assert.equal(window.tryRestart(0), false);
});

Deno.test("a child spec without a definition is refused with InvalidOptionError", () => {
  assert.throws(
    () => defineSupervisor({ type: "s", children: [{ id: "x" } as never] }),
    (err: unknown) => err instanceof InvalidOptionError && /definition/.test(err.message),
  );
  assert.throws(() => childSpec(undefined as never, { id: "x" } as never), InvalidOptionError);
});

Deno.test("duplicate child ids are refused with DuplicateChildIdError", () => {
  assert.throws(
    () =>
      defineSupervisor({
        type: "s",
        children: [childSpec(Worker, { id: "same" }), childSpec(Worker, { id: "same" })],
      }),
    (err: unknown) => err instanceof DuplicateChildIdError && err.childId === "same",
  );
});

Deno.test("child ids, restart types and shutdown timeouts are checked", () => {
  assert.throws(() => childSpec(Worker, { id: "has space" }), InvalidNameError);
  assert.throws(
    () => childSpec(Worker, { id: "x", restart: "sometimes" as never }),
    InvalidOptionError,
  );
  assert.throws(() => childSpec(Worker, { id: "x", shutdownTimeoutMs: 0 }), InvalidOptionError);
  assert.throws(
    () => childSpec(Worker, { id: "x", mailbox: { kind: "bounded", capacity: 0 } }),
    InvalidOptionError,
  );
});

Deno.test("the restart window forgets restarts older than withinMs", () => {
  const window = new RestartWindow(2, 1_000);
  assert.equal(window.tryRestart(0), true);
  assert.equal(window.tryRestart(500), true);
  assert.equal(window.tryRestart(900), false, "a third inside the window");
  assert.equal(window.tryRestart(1_000), true, "the first has left the window");
});

Deno.test("backoff delays grow by the factor, are capped, and jitter stays within its bounds", () => {
  const options = { minMs: 100, maxMs: 1_000, factor: 3, jitter: 0 };
  assert.deepEqual([0, 1, 2, 3, 10].map((n) => backoffDelayMs(n, options)), [
    100,
    300,
    900,
    1_000,
    1_000,
  ]);
  const jittery = { ...options, jitter: 0.5 };
  assert.equal(backoffDelayMs(1, jittery, () => 0), 150, "the low end: -50%");
  assert.ok(
    Math.abs(backoffDelayMs(1, jittery, () => 0.999999) - 450) < 0.001,
    "the high end: +50%",
  );
  assert.equal(backoffDelayMs(0, jittery, () => 0), 100, "never below minMs");
  assert.equal(backoffDelayMs(5, jittery, () => 0.999999), 1_000, "never above maxMs");
});
