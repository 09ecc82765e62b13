/**
 * The errors of object refs (`system.put`, `ctx.put`, `obj.get()`).
 *
 * @module
 */

import { ActorSystemError } from "../../base/errors.ts";

/**
 * Why an object can no longer be read:
 * - `"released"`: someone called `obj.release()`;
 * - `"owner-stopped"`: the actor that put it (`ctx.put`) stopped for good,
 *   or the system that put it (`system.put`) shut down;
 * - `"owner-host-lost"`: the host that held it was declared lost or left the
 *   cluster before this host had read it;
 * - `"lease-expired"`: it was put with `leaseMs`, and that time passed;
 * - `"not-found"`: its holder never had it, or forgot it long ago (a ref
 *   made up or kept from an earlier run), or a durable object is not in the store.
 */
export type ObjectLostReason =
  | "released"
  | "owner-stopped"
  | "owner-host-lost"
  | "lease-expired"
  | "not-found";

/** Every {@linkcode ObjectLostReason}, to check one read from the wire. */
export const OBJECT_LOST_REASONS: readonly ObjectLostReason[] = [
  "released",
  "owner-stopped",
  "owner-host-lost",
  "lease-expired",
  "not-found",
];

/** Words for each reason, for the error message. */
function describe(reason: ObjectLostReason): string {
  switch (reason) {
    case "released":
      return "it was released";
    case "owner-stopped":
      return "the actor or system that put it stopped";
    case "owner-host-lost":
      return "the host that held it is gone";
    case "lease-expired":
      return "its lease expired";
    case "not-found":
      return "its holder does not have it";
    default: {
      const never: never = reason;
      return String(never);
    }
  }
}

/**
 * `obj.get()` cannot return the object's value, and never will: it was
 * released, its owner stopped, its host is gone, its lease expired, or it
 * was never there. Raised at once (no wait for a timeout) whenever the
 * reason is known. Match on `reason`.
 *
 * @example
 * ```ts
 * import { ActorSystem, ObjectLostError } from "../../mod.ts";
 * const system = await ActorSystem.start();
 * const obj = await system.put(new Float32Array(4));
 * await obj.release();
 * try {
 *   await obj.get();
 * } catch (err) {
 *   if (ObjectLostError.is(err)) console.log(err.reason); // released
 * }
 * await system.shutdown();
 * ```
 */
export class ObjectLostError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "object_lost";
  /** The object's id. */
  readonly objectId: string;
  /** Why it is lost. */
  readonly reason: ObjectLostReason;
  /** The host that held it. */
  readonly hostId: string;

  /**
   * Creates the error.
   *
   * @param objectId The object's id.
   * @param hostId The host that held it.
   * @param reason Why it is lost.
   * @param options Standard error options; `cause` chains what showed it.
   */
  constructor(
    objectId: string,
    hostId: string,
    reason: ObjectLostReason,
    options?: ErrorOptions,
  ) {
    super(`object ${objectId} (held by host ${hostId}) is lost: ${describe(reason)}`, options);
    this.objectId = objectId;
    this.hostId = hostId;
    this.reason = reason;
  }
}
