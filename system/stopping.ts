/**
 * Stopping from outside the actors: one actor, here or on another host;
 * waiting for one to stop for good; the whole system, workers last. Each
 * returns a promise and rejects rather than throws, so that a caller has one
 * place to handle a bad ref or timeout.
 *
 * @module
 */

import type { Runtime } from "../actors/runtime.ts";
import type { BaseRef } from "../actors/ref.ts";
import type { DeathRecord } from "../actors/observe/death_records.ts";
import type { Hosts } from "./hosts.ts";
import type { SystemWorkers } from "./assembly.ts";
import { LocalRef } from "../actors/local_ref.ts";
import { STOPPED } from "../actors/exit_reason.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { positiveMs, type StopOptions } from "./options.ts";

/**
 * Stops an actor of `runtime`, or asks its host to stop an actor of another
 * host; resolves once it stopped.
 *
 * @throws {InvalidOptionError} (rejects) When `ref` is a local actor of
 *   another system, or the timeout is invalid.
 */
export function stopActor(
  runtime: Runtime,
  hosts: Hosts,
  ref: BaseRef,
  options: StopOptions,
): Promise<void> {
  const cell = LocalRef.cellOf(ref);
  if (cell === undefined) {
    try {
      const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, runtime.stopTimeoutMs);
      return hosts.stop(ref, timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  try {
    if (cell.runtime !== runtime) {
      throw new InvalidOptionError("ref", ref.id, "a ref of an actor of this system");
    }
    // A supervisor waits for its subtree, each actor of it bounded by its own budget.
    const fallbackMs = cell.def.childExit === undefined ? runtime.stopTimeoutMs : Infinity;
    const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, fallbackMs);
    return cell.stop(STOPPED, runtime.clock.now() + timeoutMs);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Resolves with an actor's final death record once it stopped for good: an
 * actor of `runtime` from its cell, any other from its host through the
 * remote port, or from the records here when nothing can watch it.
 */
export function whenStopped(runtime: Runtime, ref: BaseRef): Promise<DeathRecord | undefined> {
  const cell = LocalRef.cellOf(ref);
  if (cell === undefined || cell.runtime !== runtime) {
    return new Promise((resolve) => {
      const watching = runtime.remote.watch(ref, resolve);
      if (watching === undefined) resolve(runtime.deaths.last(ref));
    });
  }
  if (cell.finalRecord !== undefined) return Promise.resolve(cell.finalRecord);
  return new Promise((resolve) => (cell.watchers ??= new Set()).add(resolve));
}

/**
 * Shuts down this host's actors, then the worker hosts, then their bus.
 *
 * @throws {InvalidOptionError} (rejects) When the timeout is invalid.
 */
export function shutdownAll(
  runtime: Runtime,
  workers: SystemWorkers | undefined,
  options: StopOptions,
): Promise<void> {
  try {
    const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, runtime.stopTimeoutMs);
    if (workers === undefined) return runtime.shutdown(timeoutMs);
    // This host first (its supervisors stop their children on the workers),
    // then the workers, then their bus.
    return runtime.shutdown(timeoutMs)
      .then(() => workers.hosts.shutdown(timeoutMs))
      .finally(() => workers.close());
  } catch (err) {
    return Promise.reject(err);
  }
}
