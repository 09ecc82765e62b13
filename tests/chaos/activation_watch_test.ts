/**
 * The oracle of single activation in the entity simulation: a second live
 * activation of a key on two reachable hosts is a duplicate; one on a host
 * cut off or crashed is not; a host back from a cut is allowed one
 * suspicion timeout to learn that it was declared lost before its leftover
 * activations count, and none for an activation it starts after the heal.
 */

import assert from "node:assert/strict";
import { ActivationWatch } from "../../chaos/sim_entities.ts";

function watch() {
  const down = new Set<string>();
  const healed = new Map<string, number>();
  const clock = { nowMs: 0 };
  const w = new ActivationWatch({
    up: (id) => !down.has(id),
    healedAtMs: (id) => healed.get(id),
    learnMs: 500,
  }, () => clock.nowMs);
  return { w, down, healed, clock };
}

Deno.test("a second activation of a key while the first lives on a reachable host is a duplicate; after it stopped, it is not", () => {
  const { w, clock } = watch();
  w.started("e1", "a/1");
  clock.nowMs = 100;
  w.started("e1", "b/1");
  assert.equal(w.duplicates.length, 1);
  w.stopped("e1", "a/1");
  w.stopped("e1", "b/1");
  w.started("e1", "c/1");
  assert.equal(w.duplicates.length, 1);
  assert.equal(w.activations, 3);
});

Deno.test("an activation left on a host that is cut off is no duplicate", () => {
  const { w, down } = watch();
  w.started("e1", "a/1");
  down.add("a");
  w.started("e1", "b/1");
  assert.deepEqual(w.duplicates, []);
});

Deno.test("a leftover of a host back from a cut counts only once it had one suspicion timeout to learn it was declared lost", () => {
  const { w, healed, clock } = watch();
  w.started("e1", "a/1");
  clock.nowMs = 1_000;
  healed.set("a", 1_000);
  clock.nowMs = 1_499;
  w.started("e1", "b/1");
  assert.deepEqual(w.duplicates, [], "within the time to learn");
  w.stopped("e1", "b/1");
  clock.nowMs = 1_500;
  w.started("e1", "c/1");
  assert.equal(w.duplicates.length, 1, "a zombie that was never told");
});

Deno.test("an activation a host starts after its heal has no allowance", () => {
  const { w, healed, clock } = watch();
  healed.set("a", 1_000);
  clock.nowMs = 1_100;
  w.started("e1", "a/2");
  clock.nowMs = 1_200;
  w.started("e1", "b/1");
  assert.equal(w.duplicates.length, 1);
});
