/**
 * The failures of a state store, one class each.
 *
 * @module
 */

import { ActorSystemError } from "../base/errors.ts";

/** A compare-and-set write found another revision than the one it expected. */
export class RevisionConflictError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "revision_conflict";
  /** The key written. */
  readonly key: string;
  /** The revision the writer expected (0: the key must not exist). */
  readonly expectedRevision: number;

  /**
   * Creates the error.
   *
   * @param key The key written.
   * @param expectedRevision The revision the writer expected.
   * @param options `cause`: the backend's error, when there is one.
   */
  constructor(key: string, expectedRevision: number, options?: ErrorOptions) {
    super(
      expectedRevision === 0
        ? `key '${key}' already exists`
        : `key '${key}' is no longer at revision ${expectedRevision}`,
      options,
    );
    this.key = key;
    this.expectedRevision = expectedRevision;
  }
}

/**
 * The store could not be reached, or did not answer in time. When
 * `outcomeUnknown` is true a write may or may not have happened: read before
 * retrying, never write blindly.
 */
export class StoreUnavailableError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "store_unavailable";
  /** The store's kind. */
  readonly store: string;
  /** True when a write timed out after being sent: it may have been applied. */
  readonly outcomeUnknown: boolean;

  /**
   * Creates the error.
   *
   * @param store The store's kind.
   * @param operation What failed.
   * @param outcomeUnknown Whether a write may have been applied.
   * @param options `cause`: the backend's error.
   */
  constructor(store: string, operation: string, outcomeUnknown: boolean, options?: ErrorOptions) {
    super(`${store} store unavailable during ${operation}`, options);
    this.store = store;
    this.outcomeUnknown = outcomeUnknown;
  }
}

/** A value is larger than the store accepts; nothing was written. */
export class ValueTooLargeError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "value_too_large";
  /** The key. */
  readonly key: string;
  /** The value's size, in bytes. */
  readonly sizeBytes: number;
  /** The store's limit, in bytes. */
  readonly maxBytes: number;

  /**
   * Creates the error.
   *
   * @param key The key.
   * @param sizeBytes The value's size.
   * @param maxBytes The store's limit.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(key: string, sizeBytes: number, maxBytes: number, options?: ErrorOptions) {
    super(
      `value for '${key}' is ${sizeBytes} bytes; the store accepts at most ${maxBytes}`,
      options,
    );
    this.key = key;
    this.sizeBytes = sizeBytes;
    this.maxBytes = maxBytes;
  }
}

/** A key breaks the store's key rules. */
export class KeyInvalidError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "key_invalid";
  /** The refused key (shortened when very long). */
  readonly key: string;

  /**
   * Creates the error.
   *
   * @param key The refused key.
   * @param reason Why it was refused.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(key: string, reason: string, options?: ErrorOptions) {
    const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
    super(`invalid store key '${shown}': ${reason}`, options);
    this.key = shown;
  }
}
