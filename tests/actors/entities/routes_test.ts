/**
 * A sending host routes an entity's messages by the cached owner of its
 * shard: the view's placement is chosen once per shard, not once per
 * message, and again after the view changed.
 */

import assert from "node:assert/strict";
import { EntityRef } from "../../../actors/entities/entity_ref.ts";
import { countingRuntime, Echo } from "./_entity_runtime.ts";

Deno.test("1,000 asks to one entity choose its shard's host once", async () => {
  const { runtime, placements, warm } = countingRuntime();
  try {
    await warm();
    const before = placements();
    for (let i = 0; i < 1_000; i++) {
      const ref = new EntityRef(runtime, Echo.type, "one", undefined);
      assert.equal(await ref.ask("echo", i), i);
    }
    // The shard's owner was chosen while claiming ahead, or on the first ask.
    assert.ok(placements() - before <= 1, `${placements() - before} placements`);
  } finally {
    await runtime.shutdown(1_000);
  }
});

Deno.test("a change of the view makes the next message choose its shard's host again", async () => {
  const { runtime, placements, warm } = countingRuntime();
  try {
    await warm();
    const ref = new EntityRef(runtime, Echo.type, "moving", undefined);
    assert.equal(await ref.ask("echo", 1), 1);
    const before = placements();
    runtime.entities.hostChanged("h2", "up");
    assert.equal(await ref.ask("echo", 2), 2);
    runtime.entities.hostChanged("h2", "gone");
    assert.equal(await ref.ask("echo", 3), 3);
    assert.equal(placements() - before, 2);
  } finally {
    await runtime.shutdown(1_000);
  }
});
