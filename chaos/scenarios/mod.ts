/**
 * Every fault scenario, in the order `deno task chaos` runs them.
 *
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { kill9, sigstop, sigterm } from "./host_faults.ts";
import { natsDown2s, natsDown30s } from "./nats_outage.ts";
import { natsCluster3 } from "./nats_cluster.ts";
import { restartStorm, simulation } from "./local_faults.ts";
import { fuzz, slowActor } from "./input_faults.ts";
import { simulationAtScale } from "./scale.ts";
import { rebalancing } from "./rebalancing.ts";

/** The scenarios. */
export const scenarios: readonly Scenario[] = [
  kill9,
  sigstop,
  sigterm,
  natsDown2s,
  natsDown30s,
  natsCluster3,
  slowActor,
  restartStorm,
  fuzz,
  simulation,
  simulationAtScale,
  rebalancing,
];
