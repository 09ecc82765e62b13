/**
 * Host faults with real processes: kill -9 under load, SIGSTOP past the
 * suspicion timeout, graceful SIGTERM of a host with many actors.
 *
 * @module
 */

import { childSpec, defineSupervisor } from "../../mod.ts";
import type { Scenario } from "../scenario.ts";
import { sleep, startProcessCluster } from "../process_cluster.ts";
import { countersUnderLoad } from "../load.ts";
import { ChaosQuick } from "../process_actors.ts";

/** Waits until `condition` holds, or gives up after `withinMs`; says whether it held. */
async function until(condition: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** kill -9 of the agent holding a third of the persistent counters, under load. */
export const kill9: Scenario = {
  name: "kill-9",
  description: "kill -9 of a host holding a third of the persistent actors, under ask load",
  run: async (size) => {
    const counters = size === "full" ? 900 : 300;
    const c = await startProcessCluster({ name: "k9", agents: ["a1", "a2", "a3"], bucket: "k9" });
    try {
      const load = await countersUnderLoad(c.driver, counters);
      await sleep(1_000);
      const victim = c.agents[1];
      const onVictim = await load.onHost(victim.hostId);
      const killedAt = Date.now();
      victim.process.kill("SIGKILL");
      load.mark();
      const detected = await until(
        () => c.driver.hosts().find((h) => h.hostId === victim.hostId)?.state === "lost",
        10_000,
      );
      const detectMs = Date.now() - killedAt;
      const served = await until(
        () => onVictim.every((id) => load.servedAfterMark.has(id)),
        60_000,
      );
      const servingMs = Date.now() - killedAt;
      const violations = await load.finish();
      if (!detected) violations.push(`${victim.hostId} was not declared lost within 10 s`);
      if (!served) violations.push("not every actor of the killed host served again within 60 s");
      for (const id of onVictim) {
        if (load.servedAfterMark.get(id) === victim.hostId) {
          violations.push(`${id} answered from the dead host`);
        }
      }
      const lostRecords = c.driver.deaths.find({ kind: "host-lost" }).length;
      if (lostRecords !== onVictim.length) {
        violations.push(
          `${lostRecords} host-lost records for ${onVictim.length} actors on the victim`,
        );
      }
      return {
        figures: {
          actors: counters,
          on_killed_host: onVictim.length,
          detect_ms: detectMs,
          all_serving_again_ms: servingMs,
          acknowledged_asks: load.acknowledged(),
          lost_acknowledged_updates: violations.filter((v) => /acknowledged/.test(v)).length,
          fenced_writes: load.fencedWrites(),
        },
        violations,
      };
    } finally {
      await c.close();
    }
  },
};

/** SIGSTOP of an agent past the suspicion timeout, then SIGCONT. */
export const sigstop: Scenario = {
  name: "sigstop",
  description: "SIGSTOP of a host for 2.5x the suspicion timeout under load, then SIGCONT",
  run: async (size) => {
    const counters = size === "full" ? 120 : 24;
    const c = await startProcessCluster({ name: "ss", agents: ["a1", "a2", "a3"], bucket: "ss" });
    try {
      const load = await countersUnderLoad(c.driver, counters);
      await sleep(800);
      const frozen = c.agents[0];
      const onFrozen = await load.onHost(frozen.hostId);
      const stoppedAt = Date.now();
      frozen.process.kill("SIGSTOP");
      load.mark();
      const moved = await until(() => onFrozen.every((id) => load.servedAfterMark.has(id)), 30_000);
      const servingMs = Date.now() - stoppedAt;
      await sleep(Math.max(0, 2_500 - (Date.now() - stoppedAt)));
      frozen.process.kill("SIGCONT");
      const rejoined = await until(
        () => c.driver.hosts().find((h) => h.hostId === frozen.hostId)?.state === "alive",
        20_000,
      );
      await sleep(1_500);
      const violations = await load.finish();
      if (!moved) violations.push("the frozen host's actors did not serve elsewhere within 30 s");
      if (!rejoined) violations.push(`${frozen.hostId} did not rejoin after SIGCONT`);
      // Its stale activations stopped with host-lost records when it learned it was lost.
      const seen = await c.driver.inspect({ timeoutMs: 5_000, recent: 1_000 });
      const staleStopped = seen.deaths.filter((d) =>
        d.hostId === frozen.hostId && d.kind === "host-lost"
      ).length;
      if (staleStopped < onFrozen.length) {
        violations.push(
          `${staleStopped} of ${onFrozen.length} stale activations recorded host-lost`,
        );
      }
      const staleRunning = seen.actors.filter((a) =>
        a.hostId === frozen.hostId && onFrozen.includes(a.name ?? "")
      ).length;
      if (staleRunning > 0) violations.push(`${staleRunning} stale activations still run`);
      return {
        figures: {
          actors: counters,
          on_frozen_host: onFrozen.length,
          all_serving_elsewhere_ms: servingMs,
          stale_stopped: staleStopped,
          fenced_writes: load.fencedWrites(),
          acknowledged_asks: load.acknowledged(),
        },
        violations,
      };
    } finally {
      await c.close();
    }
  },
};

/** SIGTERM of an agent with many supervised actors. */
export const sigterm: Scenario = {
  name: "sigterm",
  description:
    "graceful SIGTERM of a host with many supervised actors: re-placed, records say shutdown",
  run: async (size) => {
    const count = size === "full" ? 1_000 : 100;
    const c = await startProcessCluster({ name: "st", agents: ["a1", "a2"] });
    try {
      const Spread = defineSupervisor({
        type: "chaos-term-sup",
        strategy: { kind: "one_for_one", maxRestarts: count * 2, withinMs: 60_000 },
        children: Array.from(
          { length: count },
          (_, i) =>
            childSpec(ChaosQuick, {
              id: `q${i}`,
              placement: { kind: "spread", labels: { worker: "1" } },
            }),
        ),
      });
      const sup = c.driver.spawn(Spread, { name: "term-sup" });
      const before = await sup.ask("which", undefined, { timeoutMs: 120_000 });
      const leaving = before.filter((ch) => ch.hostId === "a1").map((ch) => ch.id);
      const termAt = Date.now();
      c.agents[0].process.kill("SIGTERM");
      const status = await c.agents[0].process.status;
      const exitMs = Date.now() - termAt;
      let after = before;
      let moved = false;
      const deadline = Date.now() + 60_000;
      while (!moved && Date.now() < deadline) {
        after = await sup.ask("which", undefined, { timeoutMs: 10_000 });
        moved = after.every((ch) => ch.hostId === "a2" && ch.status === "remote");
        if (!moved) await sleep(100);
      }
      const replacedMs = Date.now() - termAt;
      const records = c.driver.deaths.find({ parentId: sup.id });
      const violations: string[] = [];
      if (status.code !== 0) violations.push(`the host exited with ${status.code}, not 0`);
      if (!moved) violations.push("not every child was re-placed within 60 s");
      const kinds = new Set(records.map((r) => r.kind));
      if (kinds.size !== 1 || !kinds.has("shutdown")) {
        violations.push(`records say ${[...kinds].join(", ")}`);
      }
      if (records.length !== leaving.length) {
        violations.push(`${records.length} records for ${leaving.length} children on the host`);
      }
      return {
        figures: {
          actors: count,
          on_stopped_host: leaving.length,
          host_exit_ms: exitMs,
          all_replaced_ms: replacedMs,
        },
        violations,
      };
    } finally {
      await c.close();
    }
  },
};
