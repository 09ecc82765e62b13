/**
 * Loading the code that loads and saves persistent state (and MessagePack,
 * its state format). A program without persistent actors never loads it; a
 * runtime given a state store starts loading it at once, so the first
 * activation there does not pay for it (measured on a failover of 1,000
 * persistent actors to two hosts that had held none: the load cost each
 * host about 240 ms before its first state read).
 *
 * @module
 */

let loading: Promise<typeof import("./_state_load.ts")> | undefined;

/** The persistence code, loaded on the first call. A failed load is tried again on the next. */
export function persister(): Promise<typeof import("./_state_load.ts")> {
  if (loading === undefined) {
    const started = import("./_state_load.ts");
    loading = started;
    started.catch(() => {
      if (loading === started) loading = undefined;
    });
  }
  return loading;
}

/** Starts loading the persistence code, if it is not loaded yet, without waiting for it. */
export function warmPersister(): void {
  // A failure shows to the first activation that needs it (`persister` tries again).
  persister().catch(() => {});
}

/** Whether the persistence code was asked for in this process (for tests). */
export function persisterRequested(): boolean {
  return loading !== undefined;
}
