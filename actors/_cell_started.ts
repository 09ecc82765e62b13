/**
 * Waiting for an actor's start, as OTP's `start_link` does: the outcome of
 * the start of a cell's current incarnation (`init`, then `onStart`), and
 * the callbacks that wait for it. Nothing is allocated unless somebody
 * waits, so a plain spawn stays as cheap as before.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import { ActorStartError } from "./errors.ts";

/** The outcome of a start that succeeded. */
export const STARTED: { readonly started: true } = Object.freeze({ started: true });

/** How the start of an incarnation ended: {@linkcode STARTED}, or what it failed with. */
export type StartOutcome = typeof STARTED | { readonly error: unknown };

/** A callback waiting for a start. */
export type StartWaiter = (outcome: StartOutcome) => void;

/**
 * Resolves once the cell's current incarnation has started.
 *
 * @returns A promise that rejects with what `init` or `onStart` threw, or
 *   with an `ActorStartError` when the actor was stopped before it started.
 */
export function awaitStart(cell: Cell): Promise<void> {
  const outcome = cell.startOutcome ?? (cell.status === "stopped" ? stoppedFirst(cell) : undefined);
  if (outcome !== undefined) {
    return "error" in outcome ? Promise.reject(outcome.error) : Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    (cell.startWaiters ??= []).push((settled) => {
      if ("error" in settled) reject(settled.error);
      else resolve();
    });
  });
}

/**
 * The start of the current incarnation ended: the waiters hear of it. Only
 * the first outcome counts.
 *
 * @returns Whether anybody waited (then a failure reaches them, and need not be logged).
 */
export function settleStart(cell: Cell, outcome: StartOutcome): boolean {
  if (cell.startOutcome !== undefined) return false;
  cell.startOutcome = outcome;
  const waiters = cell.startWaiters;
  if (waiters === undefined) return false;
  cell.startWaiters = undefined;
  for (const waiter of waiters) waiter(outcome);
  return true;
}

/** The incarnation ends (a stop or a restart): a start still awaited will not come. */
export function startCutOff(cell: Cell): void {
  if (cell.startOutcome === undefined) settleStart(cell, stoppedFirst(cell));
}

function stoppedFirst(cell: Cell): StartOutcome {
  return { error: new ActorStartError(cell.id, "it was stopped before its start completed") };
}
