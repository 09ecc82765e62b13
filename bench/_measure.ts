/**
 * Measurement helpers shared by the benchmark programs.
 *
 * @module
 */

/** One measured figure, printed by a benchmark program as a JSON line. */
export interface Measurement {
  /** The figure's value (the median of the repetitions). */
  readonly value: number;
  /** The unit of `value`. */
  readonly unit: string;
  /** Every repetition, for the spread. */
  readonly samples: readonly number[];
  /**
   * The peer's figure, when the program measured it too, in turn with ours
   * (`startup.ts`): the runner then takes it instead of running a peer program.
   */
  readonly peer?: Measurement;
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `once` a warm-up time, then `repetitions` times, and returns the
 * median rate. `once` may return a clean-up function, which runs untimed.
 */
export async function rate(
  count: number,
  once: () => Promise<void | (() => Promise<void>)>,
  repetitions = 5,
): Promise<Measurement> {
  await (await once())?.();
  const samples: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    const cleanUp = await once();
    samples.push(count / ((performance.now() - started) / 1_000));
    await cleanUp?.();
  }
  return { value: median(samples), unit: "per second", samples };
}

/**
 * Throws unless an actor counted every message sent to it: a figure that
 * lost or skipped messages would look faster than its peer.
 */
export function checkCounted(counted: number, sent: number): void {
  if (counted !== sent) throw new Error(`counted ${counted} of ${sent} messages`);
}

/** Forces a full garbage collection (needs `--v8-flags=--expose-gc`). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  for (let i = 0; i < 3; i++) gc();
}

/** Heap bytes in use after a full collection. */
export function heapAfterGc(): number {
  collectGarbage();
  return Deno.memoryUsage().heapUsed;
}

/** Prints a measurement as the single JSON line the runner reads. */
export function report(measurement: Measurement): void {
  console.log(JSON.stringify(measurement));
}
