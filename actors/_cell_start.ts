/**
 * Starting an incarnation of an actor: `init`, then `onStart`, either of
 * which may be async. Messages that arrive meanwhile wait in the mailbox;
 * whoever waits for the start (`_cell_started.ts`) hears how it ended.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import { settleStart, STARTED } from "./_cell_started.ts";
import { persister } from "./persistence/loader.ts";

/**
 * Runs `init` and `onStart` for the cell's current incarnation.
 *
 * @returns `true` when the actor is running afterwards (both were synchronous
 *   and succeeded); `false` when a step is awaited or the start failed.
 */
export function startIncarnation(cell: Cell): boolean {
  const after = cell.startAfter;
  if (after !== undefined) {
    cell.startAfter = undefined;
    cell.awaitStep(after, () => {
      // It may have been stopped while it waited.
      if (cell.status === "starting" && startIncarnation(cell)) cell.resume();
    }, (err) => startFailed(cell, err));
    return false;
  }
  const persistence = cell.def.persistence;
  if (persistence !== undefined) {
    // Persistence (and MessagePack, its state format) loads with the first persistent actor,
    // or as the runtime starts when it was given a store (`persistence/loader.ts`).
    const loading = persister().then(({ loadState }) => loadState(cell, persistence));
    cell.awaitStep(loading, () => {
      if (runOnStart(cell)) cell.resume();
    }, (err) => startFailed(cell, err));
    return false;
  }
  let result: unknown;
  try {
    result = cell.def.init(cell.args, cell.context());
  } catch (err) {
    startFailed(cell, err);
    return false;
  }
  if (result instanceof Promise) {
    cell.awaitStep(result, (state) => {
      initialized(cell, state);
      if (runOnStart(cell)) cell.resume();
    }, (err) => startFailed(cell, err));
    return false;
  }
  initialized(cell, result);
  return runOnStart(cell);
}

function initialized(cell: Cell, state: unknown): void {
  cell.state = state;
  cell.initialized = true;
}

function runOnStart(cell: Cell): boolean {
  if (cell.status !== "starting") return false;
  const hook = cell.def.onStart;
  let result: unknown;
  if (hook !== undefined) {
    try {
      result = hook(cell.state, cell.context());
    } catch (err) {
      startFailed(cell, err);
      return false;
    }
  }
  if (result instanceof Promise) {
    cell.awaitStep(result, () => {
      if (running(cell)) cell.resume();
    }, (err) => startFailed(cell, err));
    return false;
  }
  return running(cell);
}

/**
 * Marks a started cell running, unless a stop or restart began meanwhile.
 * Either way its start is done: `init` and `onStart` completed (one that
 * stopped itself in `onStart` did start; one whose step a stop cut off did not).
 */
function running(cell: Cell): boolean {
  if (cell.startOutcome === undefined) settleStart(cell, STARTED);
  if (cell.status !== "starting") return false;
  cell.status = "running";
  return true;
}

/** `init` or `onStart` threw: the waiters get the error, and the actor fails. */
function startFailed(cell: Cell, err: unknown): void {
  const waited = settleStart(cell, { error: err });
  cell.fail(err, undefined, undefined, undefined, waited);
}
