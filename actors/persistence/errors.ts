/**
 * The errors of persistent actors: a second activation that lost the
 * compare-and-set, a spawn that claims a key a live actor holds, and state
 * that cannot be decoded or encoded.
 *
 * @module
 */

import { ActorSystemError } from "../../base/errors.ts";

/**
 * Another activation of a persistent actor owns its state: a compare-and-set
 * write found a revision this activation did not write. The actor stops for
 * good (its supervisor does not restart it) and never overwrites the state.
 */
export class StateConflictError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "state_conflict";
  /** The actor's state key. */
  readonly key: string;
  /** The revision this activation expected. */
  readonly expectedRevision: number;

  /**
   * Creates the error.
   *
   * @param key The actor's state key.
   * @param expectedRevision The revision this activation expected.
   * @param options `cause`: the store's conflict error.
   */
  constructor(key: string, expectedRevision: number, options?: ErrorOptions) {
    super(
      `another activation owns the state at '${key}' (expected revision ${expectedRevision}); ` +
        "this one stops without writing",
      options,
    );
    this.key = key;
    this.expectedRevision = expectedRevision;
  }
}

/**
 * Stored state could not be decoded (corrupt bytes, a newer schema version, or
 * an older one without a `migrate` hook). The actor stops at start for good;
 * the stored bytes are left untouched.
 */
export class StateDecodeError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "state_decode";
  /** The actor's state key. */
  readonly key: string;
  /** What is wrong with the stored bytes. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param key The actor's state key.
   * @param reason What is wrong.
   * @param options `cause`: the decoder's error.
   */
  constructor(key: string, reason: string, options?: ErrorOptions) {
    super(`cannot decode the stored state at '${key}': ${reason}`, options);
    this.key = key;
    this.reason = reason;
  }
}

/** A persistent actor's state holds something the state codec cannot store faithfully. */
export class StateEncodeError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "state_encode";
  /** Where in the state, e.g. `state.byShard`. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path Where in the state.
   * @param what What was found there.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(path: string, what: string, options?: ErrorOptions) {
    super(
      `cannot store ${what} at ${path}: persistent state must be plain data (objects, arrays, ` +
        "strings, numbers, booleans, null, bigint, Date, Set, typed arrays); give the " +
        "definition's persistence encode/decode hooks for anything else",
      options,
    );
    this.path = path;
  }
}

/**
 * A spawn request from another host named the persistence key of a live
 * actor of this host, and did not come from the host that supervises or owns
 * that actor: a second activation would take the state over (the live actor
 * would lose its next write and stop), so the spawn is refused instead.
 * Also when the holder's host, still a member, did not say in time whether
 * the holder runs (`unanswered`): it may, so the key stays with it.
 */
export class PersistKeyHeldError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "persist_key_held";
  /** The persistence key asked for. */
  readonly key: string;
  /** The live actor that holds it (or may: see {@linkcode PersistKeyHeldError.unanswered}). */
  readonly holderId: string;
  /** The host that asked. */
  readonly requester: string;
  /** Whether the holder's host did not answer in time (so the holder may run, not known to). */
  readonly unanswered: boolean;

  /**
   * Creates the error.
   *
   * @param key The persistence key.
   * @param holderId The live actor that holds it.
   * @param requester The host that asked.
   * @param options Standard error options; `unanswered` when the holder's host did not answer in time.
   */
  constructor(
    key: string,
    holderId: string,
    requester: string,
    options?: ErrorOptions & { readonly unanswered?: boolean },
  ) {
    const unanswered = options?.unanswered === true;
    super(
      (unanswered
        ? `persistence key '${key}' may still be held by actor ${holderId}: its host, a member, ` +
          `did not say in time whether it still runs; `
        : `persistence key '${key}' is held by the live actor ${holderId}; `) +
        `a spawn from ${requester}, which neither supervises nor owns it, is refused`,
      options,
    );
    this.key = key;
    this.holderId = holderId;
    this.requester = requester;
    this.unanswered = unanswered;
  }
}
