/**
 * The entity workload of the seeded simulation: persistent entities asked by
 * key from random hosts (each routes by its own view, so views that differ
 * during crashes, cuts and joins send first messages for one key to
 * different hosts), passivating when idle, and the oracle of single
 * activation: whenever an activation starts, no other activation of its key
 * may be live on a host that is neither crashed nor cut off at that moment,
 * with one allowance: an activation left over from before its host's cut,
 * within the time a host back from a cut takes to learn that it was
 * declared lost (one suspicion timeout: the hosts' answers to its discovery
 * carry their verdicts, and it fences itself). An activation that starts
 * after the heal has no allowance (a host declared lost must start none).
 * Lost updates and interleaved writers are checked by the simulation's
 * counter and writer oracles (an entity's state names its writer too).
 *
 * @module
 */

import { type Ask, defineActor, HostUnreachableError } from "../mod.ts";
import type { VirtualClock } from "../testing.ts";
import { checkCounter } from "./oracle.ts";
import { Rng } from "./rng.ts";
import { settleOne } from "./sim_time.ts";
import type { SimHost } from "./sim_verdict.ts";

/** An entity's stored state: its key, the count and the activation that wrote it last. */
interface SimEntityState {
  readonly key: string;
  readonly count: number;
  readonly writer: string;
}

/** The run whose activations are being watched (runs are sequential in one process). */
let watching: ActivationWatch | undefined;

/** A persistent entity; its activations report to the run's watch. */
export const SimEntity = defineActor<
  { add: Ask<number, number>; get: Ask<void, number> },
  SimEntityState,
  string
>({
  type: "sim-entity",
  entity: { idleMs: 600 },
  persistence: { version: 1 },
  init: (key) => ({ key, count: 0, writer: "" }),
  onStart: (s, ctx) => watching?.started(s.key, ctx.self.id),
  onStop: (s, ctx) => watching?.stopped(s.key, ctx.self.id),
  asks: {
    add: (s, n, ctx) => ({
      state: { ...s, count: s.count + n, writer: ctx.self.id },
      reply: s.count + n,
    }),
    get: (s) => ({ state: s, reply: s.count }),
  },
});

/** How the run's hosts stand, for the oracle. */
export interface HostStandings {
  /** Whether a host is neither crashed nor cut off now. */
  readonly up: (hostId: string) => boolean;
  /** When a host's last cut healed, if it was ever cut. */
  readonly healedAtMs: (hostId: string) => number | undefined;
  /** How long a host back from a cut may take to learn that it was declared lost, in milliseconds. */
  readonly learnMs: number;
}

/** The live activations of a run, and the duplicates seen. */
export class ActivationWatch {
  /** The live activations of each key, with when each started. */
  readonly #live = new Map<string, Map<string, number>>();
  readonly #hosts: HostStandings;
  readonly #now: () => number;
  readonly duplicates: string[] = [];
  activations = 0;

  /**
   * @param hosts How the run's hosts stand.
   * @param now The run's time.
   */
  constructor(hosts: HostStandings, now: () => number) {
    this.#hosts = hosts;
    this.#now = now;
  }

  /** An activation of `key` started, as actor `actorId` (`<host>/<id>`). */
  started(key: string, actorId: string): void {
    this.activations++;
    const host = hostOf(actorId);
    const now = this.#now();
    const live = this.#live.get(key) ?? this.#live.set(key, new Map()).get(key)!;
    for (const [other, startedMs] of live) {
      const otherHost = hostOf(other);
      if (otherHost === host || !this.#hosts.up(otherHost) || !this.#hosts.up(host)) continue;
      const healedMs = this.#hosts.healedAtMs(otherHost);
      const leftover = healedMs !== undefined && startedMs < healedMs &&
        now - healedMs < this.#hosts.learnMs;
      if (!leftover) {
        this.duplicates.push(`${key}: t=${now} ${actorId} started while ${other} lived`);
      }
    }
    live.set(actorId, now);
  }

  /** An activation of `key` stopped. */
  stopped(key: string, actorId: string): void {
    this.#live.get(key)?.delete(actorId);
  }
}

/**
 * The activation named by a read's refusal when the entity's start failed
 * because that activation still held its state (`PersistKeyHeldError`, said
 * in the stopped error's words), else `undefined`.
 */
function stateHeldBy(err: Error): string | undefined {
  const why = (err as { why?: unknown }).why;
  if (typeof why !== "string") return undefined;
  return /PersistKeyHeldError: .* held by (?:the live actor|actor) ([^\s;:]+)[;:]/.exec(why)?.[1];
}

function hostOf(actorId: string): string {
  return actorId.slice(0, actorId.indexOf("/"));
}

/** The entity workload of one run. */
export class EntityLoad {
  readonly #keys: string[];
  readonly #rng: Rng;
  readonly #watch: ActivationWatch;
  readonly #hosts: HostStandings;
  readonly #acked = new Map<string, number[]>();
  readonly #unknown = new Map<string, number>();
  /** Asks sent. */
  asks = 0;

  /**
   * @param count How many entity keys.
   * @param seed The run's seed (the workload draws from its own generator,
   *   so runs without entities stay as they were).
   * @param hosts How the run's hosts stand (up, healed when), for the oracle.
   * @param now The run's time, for the records.
   */
  constructor(count: number, seed: number, hosts: HostStandings, now: () => number) {
    this.#keys = Array.from({ length: count }, (_, i) => `e${i}`);
    this.#rng = new Rng(seed ^ 0x1b873593);
    this.#hosts = hosts;
    this.#watch = new ActivationWatch(hosts, now);
    watching = this.#watch;
  }

  /** One step: some keys get an `add` from a random host. */
  step(hosts: readonly SimHost[], pending: Promise<unknown>[], record: (e: string) => void): void {
    if (hosts.length === 0) return;
    for (const key of this.#keys) {
      if (!this.#rng.chance(0.08)) continue;
      const from = this.#rng.pick(hosts);
      this.asks++;
      pending.push(
        from.system.entity(SimEntity, key).ask("add", 1, { timeoutMs: 1_000 }).then(
          (value) => {
            record(`entity ack ${key} ${value}`);
            (this.#acked.get(key) ?? this.#acked.set(key, []).get(key)!).push(value);
          },
          (err: Error) => {
            record(`entity unknown ${key} ${err.name}`);
            this.#unknown.set(key, (this.#unknown.get(key) ?? 0) + 1);
          },
        ),
      );
    }
  }

  /** How many activations started. */
  get activations(): number {
    return this.#watch.activations;
  }

  /** Duplicate activations seen. */
  get duplicates(): number {
    return this.#watch.duplicates.length;
  }

  /**
   * The oracle: no duplicate activation, no acknowledged update lost. A read
   * refused with `HostUnreachableError` (routed to a host that is gone but
   * not judged yet where it was routed: a verdict can wait for a member's
   * reconnect grace, and a host back from a cut respects a claim by a holder
   * it never heard of for a grace), or refused because the entity's state
   * was last written by an activation on a host that is down but still a
   * member in the view of the host that would activate it (its start fails
   * with `PersistKeyHeldError`: that host does not answer whether the
   * activation still runs), is no violation yet: its key goes into
   * `deferred`, for {@linkcode EntityLoad.checkAgain} once every view agrees,
   * when it must succeed.
   */
  async check(clock: VirtualClock, reader: SimHost, deferred: string[]): Promise<string[]> {
    const violations = this.#watch.duplicates.map((d) => `entity duplicate activation: ${d}`);
    for (const key of this.#keys) {
      violations.push(...await this.#read(clock, reader, key, deferred));
    }
    return violations;
  }

  /** The reads `check` deferred, again: now a refusal is a violation. */
  async checkAgain(
    clock: VirtualClock,
    reader: SimHost,
    keys: readonly string[],
  ): Promise<string[]> {
    const violations: string[] = [];
    for (const key of keys) violations.push(...await this.#read(clock, reader, key));
    return violations;
  }

  async #read(
    clock: VirtualClock,
    reader: SimHost,
    key: string,
    deferred?: string[],
  ): Promise<string[]> {
    const final = await settleOne(
      clock,
      reader.system.entity(SimEntity, key).ask("get", undefined, { timeoutMs: 2_000 }),
    ).catch((err) => err as Error);
    if (final instanceof Error) {
      // Routed to a gone host not judged yet where it went (see `check`): read again later.
      // Or refused because the state's last writer runs on a host that is down,
      // which the host that would activate it still counts a member (not judged there yet).
      const holder = stateHeldBy(final);
      const notJudgedYet = HostUnreachableError.is(final) ||
        (holder !== undefined && !this.#hosts.up(hostOf(holder)));
      if (deferred !== undefined && notJudgedYet) {
        deferred.push(key);
        return [];
      }
      return [`entity ${key}: final read failed: ${final.name}: ${final.message}`];
    }
    return checkCounter(
      `entity ${key}`,
      this.#acked.get(key) ?? [],
      this.#unknown.get(key) ?? 0,
      final,
    );
  }

  /** Stops reporting activations to this run. */
  close(): void {
    if (watching === this.#watch) watching = undefined;
  }
}
