/**
 * The order in which a host stops all its actors, and in which it shuts
 * down: its entities are handed off while it is still a member, then it
 * leaves, stops its actors, relays until its peers have settled, and closes
 * what it holds open.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { LazyStore } from "./_lazy_store.ts";
import type { Runtime } from "./runtime.ts";
import { SHUTDOWN } from "./exit_reason.ts";
import { SystemStoppedError } from "./errors.ts";
import { endWaitingSpans } from "./observe/_span_ends.ts";
import { topLevelCells } from "./_cell_walks.ts";

/**
 * What a shutdown uses of its runtime. `remote` is read at each step, not
 * kept: the runtime's port changes when the system joins a cluster.
 */
export type ShutdownHost = Pick<
  Runtime,
  "hostId" | "entities" | "remote" | "asks" | "deadLetters" | "tracer"
>;

/**
 * Stops every actor, top-level actors in reverse spawn order, each after its
 * children (a supervisor stops its own).
 *
 * @param cells The host's live actors, in spawn order.
 * @param reason Why they stop.
 * @param deadlineMs When turns and stop hooks still running are cut off, in clock milliseconds.
 * @param notifyParent Whether a supervisor hears of each stop (`false` when
 *   the host fences itself, see `Runtime.stopAll`).
 */
export async function stopTopLevel(
  cells: Iterable<Cell>,
  reason: ExitReason,
  deadlineMs: number,
  notifyParent: boolean,
): Promise<void> {
  const topLevel = topLevelCells(cells);
  for (let i = topLevel.length - 1; i >= 0; i--) {
    await topLevel[i].stop(reason, deadlineMs, notifyParent);
  }
}

/**
 * Stops every top-level actor at once, each after its children (in reverse
 * start order, as always): how a host declared lost fences itself. Its
 * actors may already run elsewhere, so none waits for another to stop (a
 * start blocked on a question to another host, a long turn, a slow stop
 * hook), as a shutdown's reverse order would make them.
 */
export async function stopTopLevelAtOnce(
  cells: Iterable<Cell>,
  reason: ExitReason,
  deadlineMs: number,
): Promise<void> {
  await Promise.all(topLevelCells(cells).map((cell) => cell.stop(reason, deadlineMs, false)));
}

/**
 * Shuts a host down, from the hand-off of its entities to the close of its
 * store; the runtime refuses new actors before this starts.
 *
 * @param host The runtime.
 * @param cells Its live actors by sequence number, walked once its entities are handed off.
 * @param deadlineMs When turns and stop hooks still running are cut off, in clock milliseconds.
 * @param store The host's state store, closed last.
 */
export async function shutDownHost(
  host: ShutdownHost,
  cells: ReadonlyMap<number, Cell>,
  deadlineMs: number,
  store: LazyStore,
): Promise<void> {
  // While still a member, so that no host takes a shard before its entities stopped here.
  const handed = await host.entities.handOffAll(deadlineMs);
  // What it relayed goes out before its goodbye.
  if (handed > 0) await host.remote.flush?.().catch(() => {});
  host.remote.leave();
  await stopTopLevel(cells.values(), SHUTDOWN, deadlineMs, true);
  // It still relays what reaches it until every peer said it sends nothing more: each peer
  // holds its new messages for the entities that were here until this host answered it,
  // after its relays (cluster/leave_fences.ts). Then what comes is refused (its sender hears why).
  await host.remote.peersSettled?.(deadlineMs);
  host.entities.stopRelaying();
  await host.entities.relaysAnswered(deadlineMs);
  await host.remote.close();
  host.asks.rejectAll(() => new SystemStoppedError(host.hostId));
  host.deadLetters.flushLog();
  // The spans of the last turns end now, not on a timer after the system is gone.
  if (host.tracer !== undefined) endWaitingSpans();
  await store.close();
}
