/**
 * The entity registry of one host: a host that only flips between alive and
 * busy (a loaded machine) costs no fresh read of the claims this host holds,
 * while a host that became suspect does.
 */

import assert from "node:assert/strict";
import { EntityRef } from "../../../actors/entities/entity_ref.ts";
import { shardOf } from "../../../actors/entities/shards.ts";
import { countingRuntime, Echo } from "./_entity_runtime.ts";

/** `count` keys whose entities share one shard. */
function keysOfOneShard(count: number): string[] {
  const shard = shardOf(Echo.type, "k0");
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    if (shardOf(Echo.type, `k${i}`) === shard) keys.push(`k${i}`);
  }
  return keys;
}

Deno.test("a host flipping between alive and busy costs no fresh read of a held shard's claim", async () => {
  const { runtime, claims, warm } = countingRuntime();
  try {
    runtime.entities.hostChanged("h2", "up");
    await warm();
    const [first, ...others] = keysOfOneShard(21);
    assert.equal(await new EntityRef(runtime, Echo.type, first, undefined).ask("echo", 0), 0);
    const read = claims();
    for (const [i, key] of others.entries()) {
      // alive -> busy -> alive: the view reports each as a change; both standings are "up".
      runtime.entities.hostChanged("h2", "up");
      assert.equal(await new EntityRef(runtime, Echo.type, key, undefined).ask("echo", i), i);
    }
    assert.equal(claims(), read);
  } finally {
    await runtime.shutdown(1_000);
  }
});

Deno.test("a host that became suspect makes the next activation read its shard's claim again", async () => {
  const { runtime, claims, warm } = countingRuntime();
  try {
    runtime.entities.hostChanged("h2", "up");
    await warm();
    assert.equal(await new EntityRef(runtime, Echo.type, "a", undefined).ask("echo", 1), 1);
    const before = claims();
    runtime.entities.hostChanged("h2", "suspect");
    runtime.entities.hostChanged("h2", "up");
    // A key not resident yet in the same shard as "a" would need a search; any new key will do:
    // its shard is either unread (a read) or read before the suspicion (read again).
    assert.equal(await new EntityRef(runtime, Echo.type, "b", undefined).ask("echo", 2), 2);
    assert.equal(claims(), before + 1);
  } finally {
    await runtime.shutdown(1_000);
  }
});
