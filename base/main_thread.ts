/**
 * Whether code runs on the program's main thread or in a Worker.
 *
 * @module
 */

/**
 * Tells whether this is the program's main thread (not a Worker, whether
 * made with `new Worker` or `node:worker_threads`): only there does the end
 * of the event loop's work mean the end of the program.
 */
export function onMainThread(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === "undefined";
}
