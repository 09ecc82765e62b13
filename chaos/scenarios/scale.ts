/**
 * The seeded simulation at scale: the same workload, faults and oracle as
 * `simulation`, among a thousand simulated hosts (about 996 of them idle
 * members, now and then one of which crashes); every live host must agree
 * that every crashed host is lost, however few of them monitored it.
 *
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { simulate } from "../simulation.ts";
import { History } from "../history.ts";

/** Idle hosts at full size: with the driver and the workers, about 1,000 hosts. */
const FULL_IDLE_HOSTS = 996;
/** Idle hosts at the suite's size. */
const SMALL_IDLE_HOSTS = 40;

/** Several seeds of the simulation among 1,000 hosts. */
export const simulationAtScale: Scenario = {
  name: "simulation-1000",
  description:
    "seeded simulation among 1,000 hosts in memory (40 in the suite): the same faults and oracle, and every live host agrees every crashed one is lost",
  run: async (size, seed, seeds) => {
    const count = seeds ?? (size === "full" ? 3 : 1);
    const idleHosts = size === "full" ? FULL_IDLE_HOSTS : SMALL_IDLE_HOSTS;
    const violations: string[] = [];
    const digests = new History();
    let faults = 0;
    let acknowledged = 0;
    for (let i = 0; i < count; i++) {
      const result = await simulate({ seed: seed + i, idleHosts });
      faults += result.faults.length;
      acknowledged += result.asksAcknowledged;
      digests.record(result.digest);
      for (const v of result.violations) {
        violations.push(`seed ${seed + i} (digest ${result.digest}): ${v}`);
      }
    }
    return {
      figures: {
        seeds: `${seed}..${seed + count - 1}`,
        idle_hosts: idleHosts,
        digest: digests.digest,
        faults,
        acknowledged_asks: acknowledged,
      },
      violations,
    };
  },
};
