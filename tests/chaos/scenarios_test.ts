/**
 * Every fault scenario of `deno task chaos`, at its small size: real
 * nats-server and host processes, faults injected, history checked.
 * Timing limits (escalation delay, rejection rate, neighbour slowdown) are
 * checked only at full size, by `deno task chaos`.
 */

import assert from "node:assert/strict";
import { scenarios } from "../../chaos/scenarios/mod.ts";

for (const scenario of scenarios) {
  Deno.test({
    name: `chaos scenario ${scenario.name}: ${scenario.description}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const result = await scenario.run("small", 1);
      assert.deepEqual(result.violations, [], JSON.stringify(result.figures));
    },
  });
}
