/**
 * The seeded simulation: many hosts in one process on the in-memory bus and
 * store, on a virtual clock, with crashes, network cuts and garbage input
 * chosen from a seed, under a workload whose history is checked afterwards:
 *
 * - no acknowledged state update lost (each counter's acknowledged values
 *   are distinct, and its final value is at least the highest of them and
 *   at most what the acknowledged and unknown asks add up to);
 * - never two activations of one actor writing (the store's accepted writes
 *   per key never return to a writer that was superseded);
 * - every tell a live sender sent is either handled or a dead letter on the
 *   sender, exactly once and in order;
 * - no host stopped by input: every host that was not crashed still runs.
 *
 * The same seed replays the same run (`digest` is equal).
 *
 * @module
 */

import { ActorSystem, childSpec, defineSupervisor, MemoryStore } from "../mod.ts";
import { createVirtualClock } from "../testing.ts";
import { MemoryBus, type MemoryTransport } from "../transport/memory_bus.ts";
import { Rng } from "./rng.ts";
import type { RandomSource } from "../base/random.ts";
import { frameFingerprint, History } from "./history.ts";
import { SimLink } from "./sim_link.ts";
import { withStoppedWallClock } from "./sim_wall_clock.ts";
import { RecordingStore } from "./recording_store.ts";
import { SimCounter, SimPinger, SimRecorder } from "./sim_actors.ts";
import { checkWriters } from "./oracle.ts";
import { settle, settleOne, STEP_MS } from "./sim_time.ts";
import { RECONNECT_GRACE_MS } from "../cluster/membership.ts";
import { checkCounters, checkPingers, type CounterRef, type SimHost } from "./sim_verdict.ts";
import { EntityLoad } from "./sim_entities.ts";

/** Sizes of one simulated run. */
export interface SimulationOptions {
  /** The seed; the same seed gives the same run. */
  readonly seed: number;
  /**
   * Virtual duration of the faulty phase, in milliseconds.
   * @default {12000}
   */
  readonly durationMs?: number;
  /**
   * Persistent counters under the supervisor.
   * @default {6}
   */
  readonly counters?: number;
  /**
   * Persistent entities (chaos/sim_entities.ts) asked by key from random
   * hosts, checked for duplicate activations and lost updates.
   * @default {0}
   */
  readonly entities?: number;
  /**
   * Idle member hosts besides the driver and the workers (a cluster at
   * scale: 1,000 hosts is 996 or so of them): they hold no workload, and now
   * and then one of them crashes; every live host must agree it is lost.
   * @default {0}
   */
  readonly idleHosts?: number;
  /**
   * Whether to return every event of the history (`events`), to find where
   * two runs of one seed parted.
   * @default {false}
   */
  readonly keepEvents?: boolean;
}

/** What one run did and found. */
export interface SimulationResult {
  readonly seed: number;
  /** The faults injected, in order (`"t=1200 crash w2"`). */
  readonly faults: readonly string[];
  readonly asksAcknowledged: number;
  readonly asksUnknown: number;
  readonly tellsSent: number;
  readonly tellsHandled: number;
  readonly tellsDeadLettered: number;
  readonly garbageMessages: number;
  readonly writesAccepted: number;
  /** Entity activations that started (with `entities`). */
  readonly entityActivations: number;
  /** Entity asks sent (with `entities`). */
  readonly entityAsks: number;
  /** Activations that started while another of their key lived on a reachable host. */
  readonly entityDuplicates: number;
  /** Every invariant that did not hold; empty when the run passed. */
  readonly violations: readonly string[];
  /**
   * A fingerprint of the run's history (every delivery, fault, ask outcome
   * and write, in order, with its virtual time), for replay checks.
   */
  readonly digest: string;
  /** The history's events, with `keepEvents`. */
  readonly events?: readonly string[];
}

const HEARTBEAT_MS = 100;
const SUSPICION_MS = 500;
/** How long after healing every counter must be on a live host again. */
const RECOVERY_BOUND_MS = 20_000;

type Host = SimHost & {
  readonly link: MemoryTransport;
  cutUntilMs: number | undefined;
  /** Whether it was ever cut off (it may have missed a verdict: see `checkAgreement`). */
  wasCut: boolean;
  /** When its last cut healed (run time), if it was ever cut. */
  healedAtMs: number | undefined;
  readonly idle: boolean;
};

/**
 * Runs one seeded simulation and checks its history. Nothing in it depends
 * on the machine's speed or load: the same seed gives the same history
 * (`digest`), alone or in the suite.
 */
export function simulate(options: SimulationOptions): Promise<SimulationResult> {
  return withStoppedWallClock(() => run(options));
}

async function run(options: SimulationOptions): Promise<SimulationResult> {
  const rng = new Rng(options.seed);
  const durationMs = options.durationMs ?? 12_000;
  const counterCount = options.counters ?? 6;
  const startMs = 1_000_000;
  const clock = createVirtualClock(startMs);
  const history = new History(options.keepEvents);
  const at = () => clock.now() - startMs;
  // Network latency: usually none, sometimes a few milliseconds, now and then a spike.
  const latency = new Rng(options.seed ^ 0x5bd1e995);
  const bus = new MemoryBus({
    clock,
    deliveryDelayMs: () =>
      latency.chance(0.7) ? 0 : latency.chance(0.95) ? latency.int(1, 20) : latency.int(50, 250),
  });
  const store = new RecordingStore(new MemoryStore());
  const faults: string[] = [];
  const violations: string[] = [];
  const hosts: Host[] = [];
  let nextWorker = 1;
  const fault = (t: number, text: string) => {
    faults.push(`t=${t} ${text}`);
    history.record(at(), "fault", text);
  };

  const start = async (id: string, labels: Record<string, string>): Promise<Host> => {
    const link = bus.connect();
    const system = await ActorSystem.start({
      hostId: id,
      clock,
      random: seededRandom(options.seed, id),
      store,
      logFailures: false,
      // The dispatcher never yields to the event loop on wall time: a yield
      // parks actor turns on a platform task while the virtual clock runs on.
      scheduler: { sliceMs: Number.POSITIVE_INFINITY },
      deadLetters: { logPerSecond: 0, keep: 100_000 },
      log: { level: "silent" },
      cluster: {
        name: "sim",
        transport: new SimLink(link, id, clock, startMs, history),
        labels,
        heartbeatIntervalMs: HEARTBEAT_MS,
        suspicionTimeoutMs: SUSPICION_MS,
      },
    });
    const host: Host = {
      id,
      system,
      link,
      crashed: false,
      cutUntilMs: undefined,
      wasCut: false,
      healedAtMs: undefined,
      pinger: undefined,
      idle: labels.idle === "1",
    };
    hosts.push(host);
    history.record(at(), id, "started");
    return host;
  };
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += STEP_MS) await clock.advance(STEP_MS);
  };

  const driver = await start("h0", { role: "driver" });
  const workerCount = rng.int(2, 4);
  for (let i = 0; i < workerCount; i++) await start(`w${nextWorker++}`, { worker: "1" });
  const idleCount = options.idleHosts ?? 0;
  for (let i = 0; i < idleCount; i++) {
    await start(`i${i}`, { idle: "1" });
    // Hosts join a few at a time, as a real cluster's would.
    if (i % 20 === 19) await clock.advance(STEP_MS);
  }
  await step(300 + Math.min(2_000, idleCount * 2));

  const Sup = defineSupervisor({
    type: "sim-sup",
    strategy: { kind: "one_for_one", maxRestarts: 1_000, withinMs: 1_000 },
    children: Array.from({ length: counterCount }, (_, i) =>
      childSpec(SimCounter, {
        id: `c${i}`,
        name: `c${i}`,
        placement: { kind: "spread", labels: { worker: "1" } },
      })),
  });
  const sup = driver.system.spawn(Sup, { name: "sup" });
  const recorder = driver.system.spawn(SimRecorder, { name: "recorder" });
  const attacker = bus.connect();

  // The history of the counters: acknowledged values in order, and asks whose outcome is unknown.
  const acked = new Map<string, number[]>();
  const unknown = new Map<string, number>();
  let children = new Map<string, CounterRef | undefined>();
  const refresh = async () => {
    const which = await sup.ask("which", undefined, { timeoutMs: 2_000 }).catch(() => undefined);
    if (which === undefined) return;
    children = new Map(
      which.map((c) => [
        c.id,
        c.ref === undefined ? undefined : driver.system.resolveRef(c.ref.toJSON(), SimCounter),
      ]),
    );
  };
  const pending: Promise<unknown>[] = [];
  let garbage = 0;
  const reachable = (id: string) =>
    hosts.some((h) => h.id === id && !h.crashed && h.cutUntilMs === undefined);
  const entities = (options.entities ?? 0) === 0
    ? undefined
    : new EntityLoad(options.entities!, options.seed, {
      up: reachable,
      healedAtMs: (id) => hosts.find((h) => h.id === id)?.healedAtMs,
      learnMs: SUSPICION_MS,
    }, at);

  const alive = () => hosts.filter((h) => !h.crashed);
  const workers = () => alive().filter((h) => h !== driver && !h.idle);
  const idle = () => alive().filter((h) => h.idle);

  const spawnPinger = async (host: Host) => {
    host.pinger = await settleOne(
      clock,
      driver.system.spawn(SimPinger, {
        args: { to: recorder, perTick: rng.int(1, 3) },
        placement: { kind: "host", hostId: host.id },
      }),
    ).catch(() => undefined);
  };
  for (const w of workers()) await spawnPinger(w);

  // ---- the faulty phase ------------------------------------------------------------
  for (let t = 0; t < durationMs; t += STEP_MS) {
    if (t % 200 === 0) pending.push(refresh());
    // Faults.
    const candidates = workers();
    if (rng.chance(0.004) && candidates.filter((h) => !h.crashed).length >= 2) {
      const victim = rng.pick(candidates);
      victim.crashed = true;
      fault(t, `crash ${victim.id}`);
      await victim.link.close();
    }
    if (idleCount > 0 && rng.chance(0.002)) {
      const victim = rng.pick(idle());
      victim.crashed = true;
      fault(t, `crash ${victim.id}`);
      await victim.link.close();
    }
    if (rng.chance(0.005) && candidates.length > 0) {
      const victim = rng.pick(candidates);
      if (victim.cutUntilMs === undefined) {
        const forMs = rng.int(100, 1_500);
        victim.cutUntilMs = t + forMs;
        victim.wasCut = true;
        victim.link.setConnected(false);
        fault(t, `cut ${victim.id} for ${forMs} ms`);
      }
    }
    for (const h of candidates) {
      if (h.cutUntilMs !== undefined && t >= h.cutUntilMs) {
        h.cutUntilMs = undefined;
        h.healedAtMs = at();
        h.link.setConnected(true);
        history.record(at(), "heal", h.id);
      }
    }
    if (rng.chance(0.003) && workers().length < 5) {
      const fresh = await start(`w${nextWorker++}`, { worker: "1" });
      fault(t, `join ${fresh.id}`);
      await spawnPinger(fresh);
    }
    if (rng.chance(0.02)) {
      const target = rng.pick(alive());
      const data = rng.chance(0.5) ? rng.bytes(rng.int(0, 64)) : new Uint8Array([
        1,
        "attacker".length,
        ...new TextEncoder().encode("attacker"),
        ...rng.bytes(rng.int(1, 40)),
      ]);
      attacker.publish(`actors.sim.attacker.to.${target.id}`, data);
      history.record(at(), "garbage", target.id, data.byteLength);
      garbage++;
    }
    // Workload.
    for (const [id, ref] of children) {
      if (ref === undefined || !rng.chance(0.15)) continue;
      pending.push(
        ref.ask("add", 1, { timeoutMs: 1_000 })
          .then(
            (value) => {
              history.record(at(), "ack", id, value);
              (acked.get(id) ?? acked.set(id, []).get(id)!).push(value);
            },
            (err: Error) => {
              history.record(at(), "unknown", id, err.name);
              unknown.set(id, (unknown.get(id) ?? 0) + 1);
            },
          ),
      );
    }
    entities?.step(
      alive().filter((h) => h.cutUntilMs === undefined),
      pending,
      (event) => history.record(at(), event),
    );
    await clock.advance(STEP_MS);
  }

  // ---- heal and settle ------------------------------------------------------------
  for (const h of workers()) {
    if (h.cutUntilMs !== undefined) h.healedAtMs = at();
    h.cutUntilMs = undefined;
    h.link.setConnected(true);
  }
  await step(1_000);
  for (const h of workers()) h.pinger?.tell("halt");
  await step(2_000);
  if (!(await settle(clock, pending))) violations.push("the workload did not settle in 30 s");
  // Every counter serves again on a live host within a bound (a supervisor
  // may be restarting several children, each spawn request retried every 2 s
  // when lost in flight).
  const onLiveHost = () =>
    children.size === counterCount &&
    [...children.values()].every((ref) =>
      ref !== undefined && alive().some((h) => ref.id.startsWith(`${h.id}/`))
    );
  for (let waitedMs = 0;; waitedMs += 500) {
    await settleOne(clock, refresh());
    if (onLiveHost()) break;
    if (waitedMs >= RECOVERY_BOUND_MS) {
      violations.push(
        `the counters were not all on live hosts ${RECOVERY_BOUND_MS} ms after healing`,
      );
      break;
    }
    await step(500);
  }

  // ---- the oracle ------------------------------------------------------------------
  if (children.size !== counterCount) {
    const why = driver.system.deaths.last(sup);
    violations.push(
      `the supervisor reports ${children.size} of ${counterCount} counters` +
        (why === undefined
          ? ""
          : ` (it died: ${why.kind} ${why.error?.name}: ${why.error?.message})`),
    );
  }
  violations.push(...await checkCounters(clock, children, acked, unknown));
  violations.push(...checkWriters(store.writes));
  const deferredReads: string[] = [];
  if (entities !== undefined) {
    violations.push(...await entities.check(clock, driver, deferredReads));
  }
  const tells = await checkPingers(clock, hosts, recorder);
  violations.push(...tells.violations);
  for (const h of alive()) {
    if (h.system.status !== "running") violations.push(`${h.id}: ${h.system.status}`);
  }

  const { tellsSent, tellsHandled, tellsDeadLettered, tellsSentByCrashed } = tells;
  // A host cut off when a verdict was published learns it once it votes
  // itself: after its reconnect grace and a suspicion timeout.
  await step(RECONNECT_GRACE_MS + 4 * SUSPICION_MS);
  violations.push(...checkAgreement(hosts));
  // Entity reads refused then (routed to a gone host not judged yet where they went): every view
  // agrees now, and they must answer.
  if (entities !== undefined) {
    violations.push(...await entities.checkAgain(clock, driver, deferredReads));
  }
  entities?.close();

  const asksAcknowledged = [...acked.values()].reduce((n, v) => n + v.length, 0);
  const asksUnknown = [...unknown.values()].reduce((n, v) => n + v, 0);

  // ---- tear down ------------------------------------------------------------------
  history.record(at(), "tear down");
  const shutdowns = alive().map((h) =>
    h.system.shutdown({ timeoutMs: 200 }).then(() => history.record(at(), h.id, "shut down"))
  );
  if (!(await settle(clock, shutdowns))) {
    violations.push("a host did not shut down in 30 s");
  }
  // A crashed host's system still lives in this process. End it too (outside
  // the history), or the idle-time shutdown of system/exit_when_done.ts would
  // wait on this virtual clock, which nothing advances then, forever.
  await settle(
    clock,
    hosts.filter((h) => h.crashed).map((h) =>
      h.system.shutdown({ timeoutMs: 200 }).catch(() => {})
    ),
  );
  await attacker.close();

  for (const w of store.writes) {
    history.record("write", w.key, w.revision, frameFingerprint(w.value));
  }
  history.record(
    "figures",
    asksAcknowledged,
    asksUnknown,
    tellsSent,
    tellsHandled,
    tellsDeadLettered,
    tellsSentByCrashed,
  );
  for (const v of violations) history.record("violation", v);

  return {
    seed: options.seed,
    faults,
    asksAcknowledged,
    asksUnknown,
    tellsSent,
    tellsHandled,
    tellsDeadLettered,
    garbageMessages: garbage,
    writesAccepted: store.writes.length,
    entityActivations: entities?.activations ?? 0,
    entityAsks: entities?.asks ?? 0,
    entityDuplicates: entities?.duplicates ?? 0,
    violations,
    digest: history.digest,
    ...(history.events === undefined ? {} : { events: history.events }),
  };
}

/**
 * Every live host that was never cut off holds every crashed host lost (or
 * never admitted it): the membership converged, however few of them
 * monitored it. A host cut off while a verdict was published, that does not
 * monitor the lost host, is told only by the answers to its discovery when
 * it comes back, and is not checked; one that missed an epoch of a host it
 * monitors takes part in the verdict on it (docs/cluster.md, "Repairing a
 * missed change").
 */
function checkAgreement(hosts: readonly Host[]): string[] {
  const crashed = hosts.filter((h) => h.crashed).map((h) => h.id);
  if (crashed.length === 0) return [];
  const violations: string[] = [];
  for (const h of hosts) {
    if (h.crashed || h.wasCut) continue;
    const view = new Map(h.system.hosts().map((x) => [x.hostId, x.state]));
    const disagree = crashed.filter((id) => {
      const state = view.get(id);
      return state !== undefined && state !== "lost" && state !== "left";
    });
    if (disagree.length > 0) {
      violations.push(`${h.id} still counts crashed ${disagree.join(", ")} a member`);
      if (violations.length >= 10) break;
    }
  }
  return violations;
}

/** A host's correlation ids, seeded from the run's seed and its id: the same every replay. */
function seededRandom(seed: number, hostId: string): RandomSource {
  let mixed = seed ^ 0x27d4eb2f;
  for (let i = 0; i < hostId.length; i++) {
    mixed = Math.imul(mixed ^ hostId.charCodeAt(i), 0x01000193);
  }
  const rng = new Rng(mixed);
  return (into) => {
    for (let i = 0; i < into.length; i++) into[i] = Math.floor(rng.next() * 4_294_967_296);
  };
}
