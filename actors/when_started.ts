/**
 * `system.whenStarted`: waiting until an actor has started, as the caller
 * of OTP's `start_link` does. An actor has started once its `init` and
 * `onStart` have completed; a supervisor, once all its children have (they
 * start one at a time, in spec order), so its whole tree is up.
 *
 * @module
 */

import type { BaseRef } from "./ref.ts";
import type { CellRuntime } from "./_cell_runtime.ts";
import { LocalRef } from "./local_ref.ts";
import { awaitStart } from "./_cell_started.ts";
import { ActorStartError } from "./errors.ts";

/**
 * Resolves once the actor has started. An actor of another host has: a
 * spawn there resolves only after its start.
 *
 * @param runtime The runtime of the system asked.
 * @param ref The actor.
 * @returns A promise of its start.
 * @throws {ActorStartError} (as a rejection) When its `init` or `onStart`
 *   threw (`cause`), or it was stopped before its start completed.
 */
export function whenStarted(runtime: CellRuntime, ref: BaseRef): Promise<void> {
  const cell = LocalRef.cellOf(ref);
  if (cell === undefined || cell.runtime !== runtime) return Promise.resolve();
  return awaitStart(cell).catch((err) => {
    throw ActorStartError.is(err) ? err : new ActorStartError(cell.id, undefined, { cause: err });
  });
}

/**
 * The ref, once its actor has started (for spawns that return a promise).
 *
 * @throws {ActorStartError} (as a rejection) When it did not start.
 */
export async function startedRef<R extends BaseRef>(runtime: CellRuntime, ref: R): Promise<R> {
  await whenStarted(runtime, ref);
  return ref;
}
