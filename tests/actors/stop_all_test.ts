/**
 * How a host declared lost stops its actors (`Runtime.stopAll`, its fence):
 * every top-level actor at once, so that one whose stop is slow (a stop
 * hook waiting, a start blocked on another host) holds none of the others
 * up; each still stops after its children.
 */

import assert from "node:assert/strict";
import { type ActorDefinition, type Ask, defineActor } from "../../mod.ts";
import { Runtime } from "../../actors/runtime.ts";
import { Logger } from "../../actors/observe/logger.ts";
import { systemClock } from "../../base/clock.ts";
import { waitFor } from "../_helpers/system.ts";

function runtime(): Runtime {
  return new Runtime({
    hostId: "h1" as never,
    clock: systemClock,
    askTimeoutMs: 10_000,
    stopTimeoutMs: 5_000,
    deadLetters: { logPerSecond: 0 },
    scheduler: {},
    deathRecords: {},
    topLevelFailure: "keep-running",
    logFailures: false,
    logger: new Logger("h1", { level: "silent" }),
    store: undefined,
    stateFile: ":memory:",
    firstSequence: 0,
  });
}

Deno.test("a fence stops every top-level actor at once: one whose stop hook waits holds none of the others up", async () => {
  const stopped: string[] = [];
  const { promise: release, resolve: letGo } = Promise.withResolvers<void>();
  const Quick = defineActor<{ ping: Ask<void, string> }, string, string>({
    type: "stop-all-quick",
    init: (name) => name,
    onStop: (name) => void stopped.push(name),
    asks: { ping: (s) => ({ state: s, reply: s }) },
  });
  const Slow = defineActor<{ ping: Ask<void, string> }, string, string>({
    type: "stop-all-slow",
    init: (name) => name,
    onStop: async (name) => {
      await release;
      stopped.push(name);
    },
    asks: { ping: (s) => ({ state: s, reply: s }) },
  });
  const rt = runtime();
  // The slow one is spawned last: in reverse spawn order it would stop first, and hold the rest.
  const untyped = (def: unknown) => def as ActorDefinition<unknown, unknown, unknown>;
  const cells = [
    rt.spawn(untyped(Quick), { args: "first" }, undefined),
    rt.spawn(untyped(Quick), { args: "second" }, undefined),
    rt.spawn(untyped(Slow), { args: "slow" }, undefined),
  ];
  for (const cell of cells) await cell.ref.ask("ping");
  const fenced = rt.stopAll({ kind: "host-lost", hostId: "h1" });
  try {
    await waitFor(() => stopped.length === 2, "the two quick actors stopped", 5_000);
    assert.deepEqual(stopped.sort(), ["first", "second"]);
  } finally {
    letGo();
    await fenced;
  }
  assert.deepEqual(stopped.sort(), ["first", "second", "slow"]);
  assert.equal(rt.size, 0);
  assert.ok(rt.deaths.of(cells[0].id).some((d) => d.kind === "host-lost"));
  await rt.shutdown(1_000);
});
