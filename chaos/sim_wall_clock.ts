/**
 * Stopping the wall clock that the framework's time slicing reads, for the
 * length of a simulated run.
 *
 * The dispatcher (`actors/scheduler.ts`) and the inbound frame queue
 * (`StepQueue` in `base/slices.ts`) measure their slices with
 * `performance.now()` and, once a slice is spent, park the rest of their work
 * on a platform task (`setImmediate`, `setTimeout`). In a simulation the
 * virtual clock keeps moving while that task waits, by as many steps as the
 * machine runs meanwhile: how much virtual time the parked work misses then
 * depends on the machine's load, and a seed no longer replays. With the
 * clock stopped no slice is ever spent, so all work runs in the turn that
 * made it, as it would on an infinitely fast machine.
 *
 * This stands in for a seam the framework does not have yet (a time source
 * for its slicing, taken from the runtime's options); it changes a global
 * only while a run lasts, and runs may nest.
 *
 * @module
 */

let depth = 0;
/** `performance`'s own `now`, if it had one before the first run (usually it has none). */
let ownNow: PropertyDescriptor | undefined;

/**
 * Runs `body` with `performance.now()` standing still, and restores it after.
 *
 * @param body The simulated run.
 * @returns What `body` returns.
 */
export async function withStoppedWallClock<T>(body: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    ownNow = Object.getOwnPropertyDescriptor(performance, "now");
    const stoppedAt = performance.now();
    Object.defineProperty(performance, "now", { value: () => stoppedAt, configurable: true });
  }
  try {
    return await body();
  } finally {
    if (--depth === 0) {
      if (ownNow === undefined) delete (performance as { now?: unknown }).now;
      else Object.defineProperty(performance, "now", ownNow);
      ownNow = undefined;
    }
  }
}
