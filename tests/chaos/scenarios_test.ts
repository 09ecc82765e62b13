/**
 * Every fault scenario of `deno task chaos`, at its small size: real
 * nats-server and host processes, faults injected, history checked.
 * Timing limits (escalation delay, rejection rate, neighbour slowdown) are
 * checked only at full size, by `deno task chaos`.
 */

import assert from "node:assert/strict";
import { scenarios } from "../../chaos/scenarios/mod.ts";
import { within } from "../_helpers/deadline.ts";

for (const scenario of scenarios) {
  Deno.test({
    name: `chaos scenario ${scenario.name}: ${scenario.description}`,
    fn: async () => {
      // The longest small scenario takes about 30 s.
      const result = await within(scenario.run("small", 1), 180_000, `scenario ${scenario.name}`);
      assert.deepEqual(result.violations, [], JSON.stringify(result.figures));
    },
  });
}
