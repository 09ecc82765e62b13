/**
 * Proof that a long piece of work leaves the event loop free: an interval
 * timer runs while the work does, and the ticks that fell between its start
 * and its end are counted. Work done in one synchronous go lets no tick in.
 *
 * @module
 */

/** What {@linkcode ticksDuring} saw. */
export interface TicksDuring<T> {
  /** What the work returned. */
  readonly result: T;
  /** Timer ticks between the start and the end of the work. */
  readonly ticks: number;
  /** How long the work took, in milliseconds. */
  readonly elapsedMs: number;
  /** The longest stretch without a tick (start and end count as ticks), in milliseconds. */
  readonly longestGapMs: number;
}

/**
 * Runs `work` with an interval timer of `intervalMs` beside it.
 *
 * @param work The work, started by the call.
 * @param intervalMs The timer's interval, in milliseconds.
 * @returns The work's result and the ticks seen while it ran.
 */
export async function ticksDuring<T>(
  work: () => Promise<T>,
  intervalMs = 20,
): Promise<TicksDuring<T>> {
  const startedMs = performance.now();
  let lastMs = startedMs;
  let longestGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - lastMs);
    lastMs = now;
    ticks++;
  }, intervalMs);
  try {
    const result = await work();
    const endedMs = performance.now();
    longestGapMs = Math.max(longestGapMs, endedMs - lastMs);
    return { result, ticks, elapsedMs: endedMs - startedMs, longestGapMs };
  } finally {
    clearInterval(timer);
  }
}
