/**
 * Why an actor incarnation ended.
 *
 * @module
 */

/**
 * Why an actor (or one incarnation of it) ended:
 * - `"stopped"`: `stop(ref)`, `stopSelf()`, its parent stopping, or a supervisor
 *   stopping it to restart it with a failed sibling;
 * - `"shutdown"`: the system shut down, or a supervisor gave up and stopped its children;
 * - `"error"`: `init`, `onStart` or a handler threw;
 * - `"escalated"`: a supervisor exceeded its restart intensity and failed
 *   itself, so that its own parent decides;
 * - `"host-lost"`: its host was declared lost (it stopped heartbeating): on
 *   that host its actors stop when it learns so, and a supervisor elsewhere
 *   records its children there as lost;
 * - `"owner-gone"`: it was spawned on this host by a program on another host
 *   (its owner, such as a driver script or a notebook) that left or was
 *   declared lost, and it was not spawned `detached`.
 */
export type ExitReason =
  | { readonly kind: "stopped" }
  | { readonly kind: "shutdown" }
  | {
    readonly kind: "error";
    /** What was thrown. */
    readonly error: unknown;
    /**
     * The message being handled (or the last one whose turn changed a
     * persistent state that could not be stored), or `undefined` when
     * `init`, `onStart` or the start's state load failed.
     */
    readonly messageName: string | undefined;
  }
  | {
    readonly kind: "host-lost";
    /** The lost host. */
    readonly hostId: string;
    /**
     * Why it was lost, when its own host knows: a `HostHungError` when its
     * event loop stalled past the hang limit and it fenced itself.
     */
    readonly error?: unknown;
  }
  | {
    readonly kind: "owner-gone";
    /** The host that spawned it. */
    readonly ownerId: string;
    /** Whether that host left (shut down) or was declared lost. */
    readonly how: "left" | "lost";
  }
  | {
    readonly kind: "escalated";
    /** The failure of the child that exceeded the intensity. */
    readonly error: unknown;
    /** The child spec id of that child. */
    readonly childId: string;
  };

/** The reason for `stop(ref)`. */
export const STOPPED: ExitReason = Object.freeze({ kind: "stopped" });
/** The reason for actors stopped by `shutdown()`. */
export const SHUTDOWN: ExitReason = Object.freeze({ kind: "shutdown" });

/** Tells whether an exit is abnormal (a `transient` child is restarted only after one). */
export function isAbnormal(reason: ExitReason): boolean {
  return reason.kind === "error" || reason.kind === "escalated" || reason.kind === "host-lost";
}

/**
 * Tells whether an exit must never be undone by a restart: the actor was
 * fenced (another activation owns its state) or its stored state cannot be
 * decoded. Restarting would fence the other activation, or fail again.
 */
export function isTerminal(reason: ExitReason): boolean {
  if (reason.kind !== "error") return false;
  const code = (reason.error as { code?: unknown } | null)?.code;
  return code === "state_conflict" || code === "state_decode";
}
