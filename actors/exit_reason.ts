/**
 * Why an actor stopped.
 *
 * @module
 */

/**
 * Why an actor stopped:
 * - `"stopped"`: `stop(ref)` (by the program or its parent), or `stopSelf()`;
 * - `"shutdown"`: the system shut down;
 * - `"error"`: `init`, a hook or a handler threw, and nothing restarted it.
 */
export type ExitReason =
  | { readonly kind: "stopped" }
  | { readonly kind: "shutdown" }
  | {
    readonly kind: "error";
    /** What was thrown. */
    readonly error: unknown;
    /** The message being handled, or `undefined` when `init` or `onStart` threw. */
    readonly messageName: string | undefined;
  };

/** The reason for `stop(ref)`. */
export const STOPPED: ExitReason = Object.freeze({ kind: "stopped" });
/** The reason for actors stopped by `shutdown()`. */
export const SHUTDOWN: ExitReason = Object.freeze({ kind: "shutdown" });
