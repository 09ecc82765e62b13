/**
 * Faults inside one host: a restart storm under a supervisor, and the
 * seeded simulation's many seeds.
 *
 * @module
 */

import { ActorSystem, childSpec, defineActor, defineSupervisor, type Tell } from "../../mod.ts";
import type { Scenario } from "../scenario.ts";
import { sleep } from "../process_cluster.ts";
import { simulate } from "../simulation.ts";
import { History } from "../history.ts";

const Crasher = defineActor<{ crash: Tell }, null>({
  type: "chaos-crasher",
  init: () => null,
  tells: {
    crash: () => {
      throw new Error("storm");
    },
  },
  asks: {},
});

/** The largest escalation delay allowed, in milliseconds (checked at full size only). */
const ESCALATION_LIMIT_MS = 100;

/** A child that fails on every message: its supervisor gives up and escalates. */
export const restartStorm: Scenario = {
  name: "restart-storm",
  description:
    "a child that fails on every message, as fast as it is restarted: the supervisor escalates once past its intensity",
  run: async (size) => {
    const rounds = size === "full" ? 200 : 20;
    const violations: string[] = [];
    const delays: number[] = [];
    const system = await ActorSystem.start({ logFailures: false, log: { level: "silent" } });
    try {
      for (let round = 0; round < rounds; round++) {
        const Inner = defineSupervisor({
          type: "storm-inner",
          strategy: { kind: "one_for_one", maxRestarts: 5, withinMs: 1_000 },
          children: [childSpec(Crasher, { id: "crasher", name: `crasher-${round}` })],
        });
        const Outer = defineSupervisor({
          type: "storm-outer",
          strategy: { kind: "one_for_one", maxRestarts: 0, withinMs: 1_000 },
          children: [childSpec(Inner, { id: "inner", name: `inner-${round}` })],
        });
        const outer = system.spawn(Outer);
        await outer.ask("which");
        const stopped = system.whenStopped(outer);
        for (let i = 0; i < 20; i++) {
          system.lookup(`crasher-${round}`, Crasher)?.tell("crash");
          await sleep(0);
        }
        await stopped;
        const inner = system.deaths.find({ name: `inner-${round}` }).at(-1);
        const failures = system.deaths.find({ name: `crasher-${round}`, kind: "error" });
        if (inner?.kind !== "escalated") {
          violations.push(
            `round ${round}: the inner supervisor ended with ${inner?.kind}, not escalated`,
          );
          continue;
        }
        if (failures.length !== 6) {
          violations.push(`round ${round}: ${failures.length} failures before escalating, not 6`);
        }
        delays.push(inner.timestampMs - failures.at(-1)!.timestampMs);
      }
    } finally {
      await system.shutdown();
    }
    delays.sort((a, b) => a - b);
    const worst = delays.at(-1) ?? 0;
    if (size === "full" && worst > ESCALATION_LIMIT_MS) {
      violations.push(`escalation took ${worst} ms after the failure that exceeded the intensity`);
    }
    return {
      figures: {
        rounds,
        escalation_ms_p50: delays[Math.floor(delays.length / 2)] ?? 0,
        escalation_ms_max: worst,
      },
      violations,
    };
  },
};

/** Many seeds of the simulation. */
export const simulation: Scenario = {
  name: "simulation",
  description:
    "seeded simulation: 3-6 hosts in memory, crashes, cuts, joins, latency and garbage under load, checked by the oracle",
  run: async (size, seed, seeds) => {
    const count = seeds ?? (size === "full" ? 1_000 : 20);
    const violations: string[] = [];
    const digests = new History();
    let acknowledged = 0;
    let faults = 0;
    let tells = 0;
    let deadLettered = 0;
    let digest = "";
    for (let i = 0; i < count; i++) {
      const result = await simulate({ seed: seed + i });
      acknowledged += result.asksAcknowledged;
      faults += result.faults.length;
      tells += result.tellsSent;
      deadLettered += result.tellsDeadLettered;
      digest = result.digest;
      digests.record(result.digest);
      for (const v of result.violations) {
        violations.push(`seed ${seed + i} (digest ${result.digest}): ${v}`);
      }
    }
    return {
      figures: {
        seeds: `${seed}..${seed + count - 1}`,
        // One seed's history, or a fingerprint of every seed's, to compare with a replay.
        digest: count === 1 ? digest : digests.digest,
        faults,
        acknowledged_asks: acknowledged,
        tells_accounted: tells,
        of_which_dead_letters: deadLettered,
      },
      violations,
    };
  },
};
