/**
 * Restarting many `one_for_one` children at once: when a host holding
 * hundreds of a supervisor's children is lost, each of them is an
 * independent restart (no sibling depends on another's start under
 * `one_for_one`), so they are started side by side, a bounded number at a
 * time, those placed on the same host in batched spawn requests
 * (`_supervisor_batch.ts`). The order of their starts is relaxed. The
 * strategies that order starts (`one_for_all`, `rest_for_one`) keep starting
 * one child at a time, each once the one before has started.
 *
 * A restart that sends batches runs beside the supervisor's turns, not in
 * one: the supervisor answers `which` (each child shows once its batch has
 * answered), exits and `startChild` meanwhile, and the restart's outcome
 * (starts that failed, children no host could take) comes back to it as a
 * message, handled as a restart in one turn is.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { ChildSpawnOutcome } from "../remote_port.ts";
import { ActorStartError } from "../errors.ts";
import type { ChildEntry, SupervisorState } from "./_supervisor_core.ts";
import { ChildStartError, RestartIntensityError } from "./errors.ts";
import { launch, noHostNow, running, stopChild } from "./_supervisor_launch.ts";
import { forEachPerHost, planUnits, type RestartUnit, spawnBatch } from "./_supervisor_batch.ts";
import { forEachConcurrently } from "../../base/concurrently.ts";
import { SHUTDOWN, STOPPED } from "../exit_reason.ts";
import type { HandlerEntry } from "../_compiled.ts";
import {
  entryPoint,
  type Exit,
  giveUp,
  handleExits,
  type Restart,
  retryLater,
  startedInPlace,
  startFailure,
} from "./_supervisor_restart.ts";

/** How many children of one restart start at once, one by one. */
export const PARALLEL_RESTARTS = 32;

/**
 * How many batches of one restart are in flight at once to each host. With
 * `SPAWN_BATCH_CHILDREN` this bounds the children starting at once on one
 * host (256): more only queue at the host and the store, and a batch that
 * waits too long there times out and falls back to single starts. Each host
 * has its own share: a bound over all hosts, taken in placement order,
 * kept every host but the first idle until the first had all its batches
 * (measured: 10,000 children on two hosts started on one, then the other).
 */
export const BATCHES_AT_ONCE = 4;

/** What a parallel restart came to, for the supervisor to act on. */
interface Settled {
  readonly restart: Restart;
  /** Children whose start failed (their `init` threw): new exits. */
  readonly failedStarts: Exit[];
  /** Children no host could take now, to try again shortly. */
  readonly noHost: ChildEntry[];
  noHostError: unknown;
  /** A failure of the restart itself, which fails the supervisor. */
  failure: { readonly error: unknown } | undefined;
}

/**
 * Starts the failed children of a `one_for_one` restart side by side. With
 * batches to send, the restart runs beside the supervisor's turns and this
 * returns at once; otherwise it is done when this resolves.
 */
export function restartEach(
  supervisor: Cell,
  state: SupervisorState,
  restart: Restart,
): Promise<SupervisorState> {
  const units = planUnits(supervisor, restart.affected);
  const settled: Settled = {
    restart,
    failedStarts: [],
    noHost: [],
    noHostError: undefined,
    failure: undefined,
  };
  const work = runUnits(supervisor, new Set(state.children), settled, units);
  if (!units.some((unit) => unit.kind === "batch")) {
    return work.then(() => settle(supervisor, state, settled));
  }
  void work.then(
    () => supervisor.deliverInternal(restartSettled(), settled),
    (error) => {
      settled.failure = { error };
      supervisor.deliverInternal(restartSettled(), settled);
    },
  );
  return Promise.resolve(state);
}

let settledEntry: HandlerEntry | undefined;

/** The message that brings a restart that ran beside the turns back to its supervisor. */
function restartSettled(): HandlerEntry {
  return settledEntry ??= entryPoint(
    "~restart-settled",
    (supervisor, state, payload) => settle(supervisor, state, payload as Settled),
  );
}

async function runUnits(
  supervisor: Cell,
  current: ReadonlySet<ChildEntry>,
  settled: Settled,
  units: readonly RestartUnit[],
): Promise<void> {
  const { restart } = settled;
  const wanted = (entry: ChildEntry) => supervisor.stopping === undefined && current.has(entry);
  const startFailed = (entry: ChildEntry, err: ChildStartError) => {
    if (restart.failed.has(entry)) entry.restarts++;
    settled.failedStarts.push(startFailure(entry, err));
  };
  const restartOne = async (entry: ChildEntry): Promise<void> => {
    if (!wanted(entry)) return;
    const counted = restart.failed.has(entry);
    try {
      if (entry.cell !== undefined && entry.cell.status === "restarting") {
        entry.cell.beginIncarnation();
        // One that does not start has queued its failure to this supervisor as its next exit.
        await startedInPlace(entry.cell);
      } else if (!running(entry)) {
        await launch(supervisor, entry, entry.restarts + (counted ? 1 : 0));
        await unlessStopping(supervisor, entry);
      } else return;
      if (counted) entry.restarts++;
    } catch (err) {
      if (supervisor.stopping !== undefined) return;
      if (ChildStartError.is(err)) return startFailed(entry, err as ChildStartError);
      if (!noHostNow(entry, err)) throw err;
      settled.noHost.push(entry);
      settled.noHostError ??= err;
    }
  };
  const restartBatch = async (hostId: string, entries: readonly ChildEntry[]): Promise<void> => {
    const batch = entries.filter(wanted);
    if (batch.length === 0) return;
    let outcomes: ChildSpawnOutcome[];
    try {
      outcomes = await spawnBatch(supervisor, hostId, batch, restart);
    } catch {
      // The host is gone, did not answer, or takes no batches: one by one,
      // each trying other hosts as a single start does.
      return await forEachConcurrently(batch, PARALLEL_RESTARTS, restartOne);
    }
    const again: ChildEntry[] = [];
    for (const [index, outcome] of outcomes.entries()) {
      const entry = batch[index];
      if (outcome.ok) {
        entry.remote = outcome.child;
        entry.cell = undefined;
        if (restart.failed.has(entry)) entry.restarts++;
        await unlessStopping(supervisor, entry);
      } else if (ActorStartError.is(outcome.error)) {
        // Its host stopped it already; `cause` is what its init threw.
        const cause = (outcome.error as Error).cause ?? outcome.error;
        startFailed(entry, new ChildStartError(supervisor.id, entry.spec.id, { cause }));
      } else again.push(entry);
    }
    await forEachConcurrently(again, PARALLEL_RESTARTS, restartOne);
  };
  const ones: ChildEntry[] = [];
  const batches: { hostId: string; entries: readonly ChildEntry[] }[] = [];
  for (const unit of units) {
    switch (unit.kind) {
      case "one":
        ones.push(unit.entry);
        break;
      case "batch":
        batches.push(unit);
        break;
      default: {
        const unknownUnit: never = unit;
        throw new Error(`unknown restart unit ${JSON.stringify(unknownUnit)}`);
      }
    }
  }
  await Promise.all([
    forEachConcurrently(ones, PARALLEL_RESTARTS, restartOne),
    forEachPerHost(batches, BATCHES_AT_ONCE, (b) => restartBatch(b.hostId, b.entries)),
  ]);
}

/**
 * A child started after its supervisor began to stop would outlive it
 * unseen (the supervisor's stop may have passed it already): it is stopped.
 */
async function unlessStopping(supervisor: Cell, entry: ChildEntry): Promise<void> {
  if (supervisor.stopping !== undefined) await stopChild(supervisor, entry, SHUTDOWN);
}

/**
 * Acts on what a parallel restart came to: a child terminated meanwhile
 * (`terminateChild`) but started by the restart is stopped; children no host
 * could take are tried again shortly (or the supervisor gives up); failed
 * starts are handled as new exits.
 */
async function settle(
  supervisor: Cell,
  state: SupervisorState,
  settled: Settled,
): Promise<SupervisorState> {
  if (settled.failure !== undefined) throw settled.failure.error;
  if (supervisor.stopping !== undefined) return state;
  const current = new Set(state.children);
  for (const entry of settled.restart.affected) {
    if (!current.has(entry) && running(entry)) await stopChild(supervisor, entry, STOPPED);
  }
  const noHost = settled.noHost.filter((entry) => current.has(entry));
  if (noHost.length > 0) {
    // Back in spec order, as the retry starts them.
    const order = new Map(state.children.map((entry, index) => [entry, index]));
    noHost.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    if (!retryLater(supervisor, state, { failed: settled.restart.failed, affected: noHost })) {
      await giveUp(supervisor, state, []);
      const { maxRestarts, withinMs } = state.strategy;
      throw new RestartIntensityError(
        supervisor.id,
        noHost[0].spec.id,
        maxRestarts,
        withinMs,
        { cause: settled.noHostError },
      );
    }
  }
  const failedStarts = settled.failedStarts.filter((exit) => current.has(exit.entry));
  return failedStarts.length === 0 ? state : handleExits(supervisor, state, failedStarts);
}
