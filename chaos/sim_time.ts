/**
 * Moving the simulation's virtual clock until something has happened: in
 * the simulation every wait must advance the clock, or it never ends.
 *
 * @module
 */

import type { VirtualClock } from "../testing.ts";

/** One step of virtual time, in milliseconds. */
export const STEP_MS = 20;
/** The most steps to wait for something to settle: 30 s of virtual time. */
const SETTLE_STEPS = 1_500;

/** Moves virtual time until every promise has settled; false when they did not in 30 s. */
export async function settle(clock: VirtualClock, pending: Promise<unknown>[]): Promise<boolean> {
  let done = false;
  void Promise.allSettled(pending).then(() => void (done = true));
  for (let i = 0; i < SETTLE_STEPS && !done; i++) await clock.advance(STEP_MS);
  return done;
}

/** Moves virtual time until one promise settles (at most 30 s), and returns its outcome. */
export async function settleOne<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(() => void (done = true), () => void (done = true));
  for (let i = 0; i < SETTLE_STEPS && !done; i++) await clock.advance(STEP_MS);
  return await promise;
}
