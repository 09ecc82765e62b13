/**
 * Restarting many `one_for_one` children at once: when a host holding
 * hundreds of a supervisor's children is lost, each of them is an
 * independent restart (no sibling depends on another's start under
 * `one_for_one`), so they are started side by side, a bounded number at a
 * time, instead of one remote spawn and state claim after another. The
 * strategies that order starts (`one_for_all`, `rest_for_one`) keep starting
 * one child at a time.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { ChildSpawn, ChildSpawnOutcome } from "../remote_port.ts";
import { ActorStartError } from "../errors.ts";
import type { ChildEntry, SupervisorState } from "./_supervisor_core.ts";
import { ChildStartError, RestartIntensityError } from "./errors.ts";
import { launch, noHostNow, running } from "./_supervisor_launch.ts";
import { forEachConcurrently } from "../../base/concurrently.ts";
import {
  type Exit,
  giveUp,
  handleExits,
  type Restart,
  retryLater,
  startedInPlace,
  startFailure,
} from "./_supervisor_restart.ts";

/** How many children of one supervisor start at once in a `one_for_one` restart, one by one. */
export const PARALLEL_RESTARTS = 32;

/**
 * The most children of one supervisor that one spawn request to one host
 * carries. A restart of many children placed on the same host sends them in
 * batches of this size; the host starts each batch's children side by side.
 */
export const SPAWN_BATCH_CHILDREN = 100;

/** A unit of a parallel restart: one child, or a batch of children placed on one other host. */
type RestartUnit =
  | { readonly kind: "one"; readonly entry: ChildEntry }
  | { readonly kind: "batch"; readonly hostId: string; readonly entries: readonly ChildEntry[] };

/**
 * Starts the failed children of a `one_for_one` restart side by side: the
 * ones placed on the same other host in batches (one request each), the
 * others one by one, a bounded number at a time. The order of their starts
 * is relaxed (no child of a `one_for_one` supervisor depends on another's
 * start). Those whose start fails are handled afterwards as new exits (OTP's
 * "try again"), those no host can take now are tried again shortly, together.
 */
export async function restartEach(
  supervisor: Cell,
  state: SupervisorState,
  restart: Restart,
): Promise<SupervisorState> {
  const current = new Set(state.children);
  const failedStarts: Exit[] = [];
  const noHost: ChildEntry[] = [];
  let noHostError: unknown;
  const wanted = (entry: ChildEntry) => supervisor.stopping === undefined && current.has(entry);
  const startFailed = (entry: ChildEntry, err: ChildStartError) => {
    if (restart.failed.has(entry)) entry.restarts++;
    failedStarts.push(startFailure(entry, err));
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
      } else return;
      if (counted) entry.restarts++;
    } catch (err) {
      if (supervisor.stopping !== undefined) return;
      if (ChildStartError.is(err)) return startFailed(entry, err as ChildStartError);
      if (!noHostNow(entry, err)) throw err;
      noHost.push(entry);
      noHostError ??= err;
    }
  };
  const restartBatch = async (hostId: string, entries: readonly ChildEntry[]): Promise<void> => {
    const batch = entries.filter(wanted);
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
      } else if (ActorStartError.is(outcome.error)) {
        // Its host stopped it already; `cause` is what its init threw.
        const cause = (outcome.error as Error).cause ?? outcome.error;
        startFailed(entry, new ChildStartError(supervisor.id, entry.spec.id, { cause }));
      } else again.push(entry);
    }
    if (supervisor.stopping === undefined) {
      await forEachConcurrently(again, PARALLEL_RESTARTS, restartOne);
    }
  };
  await forEachConcurrently(planUnits(supervisor, restart.affected), PARALLEL_RESTARTS, (unit) => {
    switch (unit.kind) {
      case "one":
        return restartOne(unit.entry);
      case "batch":
        return restartBatch(unit.hostId, unit.entries);
      default: {
        const unknownUnit: never = unit;
        throw new Error(`unknown restart unit ${JSON.stringify(unknownUnit)}`);
      }
    }
  });
  if (supervisor.stopping !== undefined) return state;
  if (noHost.length > 0) {
    // Back in spec order, as the retry starts them.
    const order = new Map(state.children.map((entry, index) => [entry, index]));
    noHost.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    if (!retryLater(supervisor, state, { failed: restart.failed, affected: noHost })) {
      await giveUp(supervisor, state, []);
      const { maxRestarts, withinMs } = state.strategy;
      throw new RestartIntensityError(
        supervisor.id,
        noHost[0].spec.id,
        maxRestarts,
        withinMs,
        { cause: noHostError },
      );
    }
  }
  return failedStarts.length === 0 ? state : handleExits(supervisor, state, failedStarts);
}

/**
 * Places the children to start anew (not running, movable) and groups those
 * placed on the same other host into batches; the others start one by one.
 */
function planUnits(supervisor: Cell, entries: readonly ChildEntry[]): RestartUnit[] {
  const runtime = supervisor.runtime;
  const units: RestartUnit[] = [];
  const byHost = new Map<string, ChildEntry[]>();
  for (const entry of entries) {
    const placement = entry.spec.placement;
    const inPlace = entry.cell !== undefined && entry.cell.status === "restarting";
    let hostId: string = runtime.hostId;
    if (placement !== undefined && !inPlace && !running(entry)) {
      try {
        hostId = runtime.remote.chooseHost(placement);
      } catch {
        // No host now: the single start finds the same and handles it.
      }
    }
    if (hostId === runtime.hostId) {
      units.push({ kind: "one", entry });
      continue;
    }
    const group = byHost.get(hostId) ?? [];
    byHost.set(hostId, group);
    group.push(entry);
  }
  for (const [hostId, group] of byHost) {
    for (let at = 0; at < group.length; at += SPAWN_BATCH_CHILDREN) {
      const entries = group.slice(at, at + SPAWN_BATCH_CHILDREN);
      units.push(
        entries.length === 1
          ? { kind: "one", entry: entries[0] }
          : { kind: "batch", hostId, entries },
      );
    }
  }
  return units;
}

/** Sends one batch of children to one host. */
function spawnBatch(
  supervisor: Cell,
  hostId: string,
  entries: readonly ChildEntry[],
  restart: Restart,
): Promise<ChildSpawnOutcome[]> {
  return supervisor.runtime.remote.spawnRemoteChildren(
    hostId,
    entries.map((entry): ChildSpawn => ({
      definition: entry.spec.definition,
      options: { name: entry.spec.name, args: entry.spec.args, mailbox: entry.spec.mailbox },
      restarts: entry.restarts + (restart.failed.has(entry) ? 1 : 0),
    })),
    supervisor.ref,
  );
}
