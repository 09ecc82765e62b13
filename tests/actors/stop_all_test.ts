/**
 * How a host declared lost stops its actors (`Runtime.stopAll`, its fence):
 * every top-level actor at once, so that one whose stop is slow (a stop
 * hook waiting, a start blocked on another host) holds none of the others
 * up; each still stops after its children.
 */

import assert from "node:assert/strict";
import { type ActorDefinition, type Ask, defineActor } from "../../mod.ts";
import { waitFor } from "../_helpers/system.ts";
import { bareRuntime } from "../_helpers/bare_runtime.ts";

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
  const rt = bareRuntime("h1");
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
