/**
 * Grouping a restart's children by the host they go to: those a movable
 * placement puts on the same other host start through one spawn request per
 * batch (`RemotePort.spawnRemoteChildren`), the others one by one.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { ChildSpawn, ChildSpawnOutcome } from "../remote_port.ts";
import type { ChildEntry } from "./_supervisor_core.ts";
import type { Restart } from "./_supervisor_restart.ts";
import { running } from "./_supervisor_launch.ts";
import { forEachConcurrently } from "../../base/concurrently.ts";

/**
 * The most children of one supervisor that one spawn request to one host
 * carries. A restart of many children placed on the same host sends them in
 * batches of this size; the host starts each batch's children side by side.
 */
export const SPAWN_BATCH_CHILDREN = 64;

/** A unit of a parallel restart: one child, or a batch of children placed on one other host. */
export type RestartUnit =
  | { readonly kind: "one"; readonly entry: ChildEntry }
  | { readonly kind: "batch"; readonly hostId: string; readonly entries: readonly ChildEntry[] };

/**
 * Places the children to start anew (not running, movable) and groups those
 * placed on the same other host into batches; the others start one by one.
 */
export function planUnits(supervisor: Cell, entries: readonly ChildEntry[]): RestartUnit[] {
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

/** Sends one batch of a supervisor's children to one host. */
export function spawnBatch(
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

/**
 * Runs `step` for every batch, at most `perHost` at once for each host, all
 * hosts side by side: each host works through its own batches in order, and
 * no host waits for another's.
 *
 * @param batches The batches, in any order.
 * @param perHost How many batches of one host may be in flight at once.
 * @param step The work for one batch (it handles its own errors).
 */
export async function forEachPerHost<B extends { readonly hostId: string }>(
  batches: readonly B[],
  perHost: number,
  step: (batch: B) => Promise<void>,
): Promise<void> {
  const byHost = new Map<string, B[]>();
  for (const batch of batches) {
    const group = byHost.get(batch.hostId) ?? [];
    byHost.set(batch.hostId, group);
    group.push(batch);
  }
  const runs = await Promise.allSettled(
    [...byHost.values()].map((group) => forEachConcurrently(group, perHost, step)),
  );
  // As `forEachConcurrently`: a failure shows once everything started has settled.
  for (const run of runs) if (run.status === "rejected") throw run.reason;
}
