/**
 * The shard table: a claim read that was under way when the host it names
 * went (lost, or left gracefully) is read again, so no message is forwarded
 * to a host that is gone (it would be rejected with `HostUnreachableError`).
 */

import assert from "node:assert/strict";
import type { ClaimResult, EntityClaims } from "../../../actors/entities/claims.ts";
import { ShardTable } from "../../../actors/entities/shard_table.ts";

/** Claims answered by hand, one read at a time. */
function manualClaims(): {
  claims: EntityClaims;
  reads: ((result: ClaimResult) => void)[];
} {
  const reads: ((result: ClaimResult) => void)[] = [];
  const claims: EntityClaims = {
    claim: () => new Promise((resolve) => reads.push(resolve)),
    release: () => Promise.resolve(),
  };
  return { claims, reads };
}

function outcomes(): { done: (o: ClaimResult | Error) => void; seen: (ClaimResult | Error)[] } {
  const seen: (ClaimResult | Error)[] = [];
  return { done: (o) => seen.push(o), seen };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("a claim read naming a host that left while it was under way is read again", async () => {
  const { claims, reads } = manualClaims();
  const table = new ShardTable(() => 0, () => claims);
  const shard = table.shard("ledger", 3, undefined);
  const { done, seen } = outcomes();
  table.acquire(shard, false, done);
  assert.equal(reads.length, 1);
  table.viewChanged("l2", false, true);
  reads[0]({ kind: "held", hostId: "l2" });
  await tick();
  assert.deepEqual(seen, [], "nothing is forwarded to the host that left");
  assert.equal(reads.length, 2, "the claim is read again");
  reads[1]({ kind: "mine" });
  await tick();
  assert.deepEqual(seen, [{ kind: "mine" }]);
  assert.equal(shard.phase, "mine");
});

Deno.test("a claim read naming a host that is up is trusted, and one that came back is too", async () => {
  const { claims, reads } = manualClaims();
  const table = new ShardTable(() => 0, () => claims);
  const shard = table.shard("ledger", 4, undefined);
  const { done, seen } = outcomes();
  table.viewChanged("l2", false, true);
  table.viewChanged("l2", false, false);
  table.acquire(shard, false, done);
  reads[0]({ kind: "held", hostId: "l2" });
  await tick();
  assert.deepEqual(seen, [{ kind: "held", hostId: "l2" }]);
  assert.equal(reads.length, 1);
});

Deno.test("a claim store that keeps naming a gone host ends in a typed outcome, not a loop", async () => {
  const { claims, reads } = manualClaims();
  const table = new ShardTable(() => 0, () => claims);
  const shard = table.shard("ledger", 5, undefined);
  const { done, seen } = outcomes();
  table.viewChanged("l2", false, true);
  table.acquire(shard, false, done);
  for (let i = 0; i < 10 && seen.length === 0; i++) {
    reads[i]({ kind: "held", hostId: "l2" });
    await tick();
  }
  assert.equal(seen.length, 1);
  assert.ok(seen[0] instanceof Error, `an error, got ${JSON.stringify(seen[0])}`);
  assert.match((seen[0] as Error).message, /l2/);
  assert.ok(reads.length <= 4, `a bounded number of reads (${reads.length})`);
});

Deno.test("a shard handed to a host that left before the hand-off ended is read again, not sent there", async () => {
  const { claims, reads } = manualClaims();
  const table = new ShardTable(() => 0, () => claims);
  const shard = table.shard("ledger", 6, undefined);
  const { done, seen } = outcomes();
  table.startHandOff(shard, "l2");
  table.acquire(shard, false, done);
  table.viewChanged("l2", false, true);
  await table.finishHandOff(shard);
  assert.deepEqual(seen, [], "nothing is forwarded to the host that left");
  assert.equal(reads.length, 1, "the claim is read");
  reads[0]({ kind: "held", hostId: "l3" });
  await tick();
  assert.deepEqual(seen, [{ kind: "held", hostId: "l3" }]);
});

Deno.test("a shard handed to a host that is still up goes to it", async () => {
  const { claims, reads } = manualClaims();
  const table = new ShardTable(() => 0, () => claims);
  const shard = table.shard("ledger", 7, undefined);
  const { done, seen } = outcomes();
  table.startHandOff(shard, "l2");
  table.acquire(shard, false, done);
  await table.finishHandOff(shard);
  assert.deepEqual(seen, [{ kind: "held", hostId: "l2" }]);
  assert.equal(reads.length, 0);
});
