/**
 * The clock seam: every timer and timestamp of an actor system goes through a
 * {@linkcode Clock}, so tests can pass a virtual one (see `createVirtualClock`)
 * and check timeouts and periodic timers without sleeping.
 *
 * @module
 */

/** An opaque handle of a scheduled callback. */
export type TimerHandle = unknown;

/** Time source and one-shot timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch (virtual clocks may start anywhere). */
  now(): number;
  /**
   * Calls `callback` once after `delayMs` milliseconds.
   *
   * @returns A handle for {@linkcode Clock.clearTimeout}.
   */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a callback scheduled with {@linkcode Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
  /**
   * Says whether a scheduled callback alone keeps the process alive (the
   * default is yes). Virtual clocks ignore it.
   */
  keepAlive(handle: TimerHandle, keepAlive: boolean): void;
}

/** The real clock: `Date.now()` and the platform timers. */
export const systemClock: Clock = {
  now: Date.now,
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return setTimeout(callback, delayMs);
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as number);
  },
  keepAlive(handle: TimerHandle, keepAlive: boolean): void {
    if (keepAlive) Deno.refTimer(handle as number);
    else Deno.unrefTimer(handle as number);
  },
};
