/**
 * Rebalancing with real processes: traffic to many entity keys while hosts
 * join (their shards move to them at a bounded rate) and one leaves
 * gracefully. Checked from the driver's side (`chaos/entity_history.ts`):
 * at most one activation per key at any time, every message handled in
 * order per key or refused with a typed reason (never silent, never timed
 * out), no acknowledged message lost, and each host's shard moves per
 * second within the configured bound.
 *
 * @module
 */

import type { Scenario, ScenarioSize } from "../scenario.ts";
import type { ActorSystem } from "../../mod.ts";
import { type ProcessCluster, sleep, startProcessCluster } from "../process_cluster.ts";
import { ChaosEntity } from "../process_actors.ts";
import { EntityHistory } from "../entity_history.ts";
import { DEFAULT_MOVES_PER_SECOND } from "../../actors/entities/entity_options.ts";

/** The sizes: keys, pause between a key's bursts, and how long each phase runs. */
const SIZES: Record<ScenarioSize, {
  keys: number;
  pauseMs: number;
  phaseMs: number;
  joins: string[];
}> = {
  small: { keys: 60, pauseMs: 300, phaseMs: 3_000, joins: ["a3"] },
  full: { keys: 600, pauseMs: 400, phaseMs: 8_000, joins: ["a3", "a4"] },
};

/** Each key's messages go two at a time (so that order is at stake), then it pauses. */
const BURST = 2;

/** The driver's traffic: one lane per key until stopped. */
function traffic(driver: ActorSystem, history: EntityHistory, keys: number, pauseMs: number) {
  let running = true;
  const lanes = Array.from({ length: keys }, async (_, i) => {
    const key = `key-${i}`;
    // Lanes start spread over one pause, not all at once.
    await sleep(Math.floor((pauseMs * i) / keys));
    while (running) {
      await Promise.all(Array.from({ length: BURST }, () => {
        const seq = history.next(key);
        return driver.entity(ChaosEntity, key).ask("put", seq, { timeoutMs: 30_000 }).then(
          (reply) => history.ended(key, seq, { kind: "replied", reply }),
          (err) => history.rejected(key, seq, err),
        );
      }));
      await sleep(pauseMs);
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(lanes);
    },
  };
}

/** Samples each host's shard moves once a second; checks each interval against the bound. */
function moveMeter(c: ProcessCluster) {
  const last = new Map<string, { moves: number; atMs: number }>();
  const totals = new Map<string, number>();
  const violations: string[] = [];
  let maxPerS = 0;
  let running = true;
  const sample = async () => {
    const seen = await c.driver.inspect({ timeoutMs: 3_000, recent: 0, actorsPerHost: 0 });
    const atMs = Date.now();
    for (const host of seen.hosts) {
      const moves = host.entities?.moves;
      if (moves === undefined) continue;
      totals.set(host.hostId, moves);
      const before = last.get(host.hostId);
      last.set(host.hostId, { moves, atMs });
      if (before === undefined) continue;
      const seconds = (atMs - before.atMs) / 1_000;
      const moved = moves - before.moves;
      maxPerS = Math.max(maxPerS, moved / Math.max(seconds, 1));
      // The budget refills at the bound per second and holds at most one second's worth.
      const allowed = DEFAULT_MOVES_PER_SECOND * (seconds + 1);
      if (moved > allowed) {
        violations.push(
          `${host.hostId} moved ${moved} shards in ${seconds.toFixed(1)} s (bound ${allowed})`,
        );
      }
    }
  };
  const loop = (async () => {
    while (running) {
      await sample().catch(() => {});
      await sleep(1_000);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await sample().catch(() => {});
      const moves = [...totals.values()].reduce((a, b) => a + b, 0);
      return { moves, maxPerS: Math.round(maxPerS * 10) / 10, violations };
    },
  };
}

/** Hosts join under entity traffic, then one leaves gracefully. */
export const rebalancing: Scenario = {
  name: "rebalancing",
  description:
    "traffic to many entity keys while hosts join and one leaves: one activation per key, in order or refused with a reason, moves within the bound",
  run: async (size) => {
    const { keys, pauseMs, phaseMs, joins } = SIZES[size];
    const c = await startProcessCluster({ name: "rb", agents: ["a1", "a2"], bucket: "rb" });
    try {
      const history = new EntityHistory();
      const load = traffic(c.driver, history, keys, pauseMs);
      const meter = moveMeter(c);
      await sleep(phaseMs);
      const startedAt = Date.now();
      const joinMs: number[] = [];
      for (const id of joins) {
        const joinAt = Date.now();
        await c.addAgent(id);
        joinMs.push(Date.now() - joinAt);
        await sleep(phaseMs);
      }
      const leaving = c.agents[0];
      const leaveAt = Date.now();
      leaving.process.kill("SIGTERM");
      const status = await leaving.process.status;
      const leaveMs = Date.now() - leaveAt;
      await sleep(phaseMs);
      const stopAt = Date.now();
      await load.stop();
      const drainMs = Date.now() - stopAt;
      const moves = await meter.stop();
      const checked = history.check();
      const violations = [...checked.violations, ...moves.violations];
      if (status.code !== 0) violations.push(`${leaving.hostId} exited with ${status.code}, not 0`);
      if (moves.moves === 0) violations.push("no shard moved to the hosts that joined");
      return {
        figures: {
          ...checked.figures,
          shard_moves: moves.moves,
          max_moves_per_s_per_host: moves.maxPerS,
          moves_per_s_bound: DEFAULT_MOVES_PER_SECOND,
          join_ms: joinMs.join(" "),
          leave_ms: leaveMs,
          drain_ms: drainMs,
          traffic_s: Math.round((Date.now() - startedAt) / 1_000 + phaseMs / 1_000),
        },
        violations,
      };
    } finally {
      await c.close();
    }
  },
};
