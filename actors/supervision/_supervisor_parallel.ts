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

/** How many children of one supervisor start at once in a `one_for_one` restart. */
export const PARALLEL_RESTARTS = 32;

/**
 * Starts the failed children of a `one_for_one` restart side by side. Those
 * whose start fails are handled afterwards as new exits (OTP's "try again"),
 * those no host can take now are tried again shortly, together.
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
  await forEachConcurrently(restart.affected, PARALLEL_RESTARTS, async (entry) => {
    if (supervisor.stopping !== undefined || !current.has(entry)) return;
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
      if (ChildStartError.is(err)) {
        if (counted) entry.restarts++;
        failedStarts.push(startFailure(entry, err as ChildStartError));
        return;
      }
      if (!noHostNow(entry, err)) throw err;
      noHost.push(entry);
      noHostError ??= err;
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
