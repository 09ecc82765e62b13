/**
 * Running one async step per item with at most a fixed number in flight.
 *
 * @module
 */

/**
 * Calls `step` for every item, with at most `limit` of them running at once,
 * and resolves once all have settled. Each item is started in list order;
 * `step` handles its own errors (a rejection is a bug in the caller and
 * rejects the whole run once every started step has settled).
 *
 * @param items What to work on.
 * @param limit How many steps may run at once (at least 1).
 * @param step The work for one item.
 * @example
 * ```ts
 * import { forEachConcurrently } from "./concurrently.ts";
 * const seen: number[] = [];
 * await forEachConcurrently([1, 2, 3], 2, async (n) => {
 *   await Promise.resolve();
 *   seen.push(n);
 * });
 * console.log(seen.length); // 3
 * ```
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  step: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await step(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure !== undefined) throw failure.error;
}
