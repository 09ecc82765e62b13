/**
 * The seeded simulation in the suite: a few hundred seeds, each a dozen
 * virtual seconds of crashes, cuts, joins, latency and garbage input under a
 * workload, checked by the oracle; and a replay of the same seed.
 */

import assert from "node:assert/strict";
import { simulate } from "../../chaos/simulation.ts";

const SEEDS = 200;

Deno.test(`${SEEDS} seeded simulations keep every invariant`, async () => {
  const failing: string[] = [];
  let acknowledged = 0;
  let faults = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const result = await simulate({ seed });
    acknowledged += result.asksAcknowledged;
    faults += result.faults.length;
    if (result.violations.length > 0) {
      failing.push(`seed ${seed} (${result.faults.join(", ")}): ${result.violations.join("; ")}`);
    }
  }
  assert.deepEqual(failing, [], "replay one with: deno task chaos --seed <n>");
  assert.ok(acknowledged > SEEDS * 100, `the workload ran (${acknowledged} acknowledged asks)`);
  assert.ok(faults > SEEDS * 3, `faults were injected (${faults})`);
});

Deno.test("the same seed replays the same run", async () => {
  for (const seed of [7, 31, 75]) {
    const first = await simulate({ seed });
    const second = await simulate({ seed });
    assert.equal(second.digest, first.digest, `seed ${seed}`);
  }
});
