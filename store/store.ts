/**
 * The state-store seam: a small key-value store with revisions and
 * compare-and-set writes, behind which sit the memory, file and JetStream KV
 * backends. Every write names the revision it expects, so two writers can
 * never both win.
 *
 * @module
 */

import { KeyInvalidError, ValueTooLargeError } from "./errors.ts";

/** A stored value and its revision. */
export interface StoreEntry {
  /** The value's bytes. */
  readonly value: Uint8Array;
  /** The revision: it grows with every write to the store, never repeats, and is never 0. */
  readonly revision: number;
}

/** The backends. */
export type StoreKind = "memory" | "file" | "jetstream";

/**
 * A key-value store with compare-and-set. Keys are tokens of letters,
 * digits, `_`, `-` and `=`, joined by `.` (the JetStream KV rules, which the
 * other backends follow too, so that a program behaves the same on each).
 */
export interface StateStore {
  /** The backend. */
  readonly kind: StoreKind;
  /** The largest value accepted, in bytes. */
  readonly maxValueBytes: number;
  /**
   * Reads a key.
   *
   * @returns The entry, or `undefined` when the key does not exist (or was deleted).
   * @throws {KeyInvalidError} For a key that breaks the rules.
   * @throws {StoreUnavailableError} When the store cannot be reached.
   */
  get(key: string): Promise<StoreEntry | undefined>;
  /**
   * Reads many keys at once, in fewer round trips than one `get` each where
   * the backend can (a failover loads thousands of states together). A
   * store without it is read key by key ({@linkcode getMany}).
   *
   * @returns One entry (or `undefined`) per key, in the keys' order.
   * @throws {KeyInvalidError} For a key that breaks the rules, before reading any.
   * @throws {StoreUnavailableError} When the store cannot be reached.
   */
  getMany?(keys: readonly string[]): Promise<(StoreEntry | undefined)[]>;
  /**
   * Writes a key if it is at `expectedRevision` (0: only if it does not exist).
   *
   * @returns The new revision.
   * @throws {RevisionConflictError} When the key is at another revision.
   * @throws {ValueTooLargeError} Before writing anything, for a value above `maxValueBytes`.
   * @throws {KeyInvalidError} For a key that breaks the rules.
   * @throws {StoreUnavailableError} When the store cannot be reached (check `outcomeUnknown`).
   */
  put(key: string, value: Uint8Array, expectedRevision: number): Promise<number>;
  /**
   * Deletes a key if it is at `expectedRevision`.
   *
   * @throws {RevisionConflictError} When the key is at another revision or does not exist.
   */
  delete(key: string, expectedRevision: number): Promise<void>;
  /**
   * Lists the existing keys that start with `prefix`, sorted.
   *
   * @param prefix Any string (`""` lists every key).
   */
  keys(prefix: string): Promise<string[]>;
  /** Releases the store's resources. Further calls fail with `StoreUnavailableError`. */
  close(): Promise<void>;
}

/**
 * Reads many keys of a store: in one batch where the store has
 * `getMany`, else one `get` each, side by side.
 *
 * @param store The store.
 * @param keys The keys.
 * @returns One entry (or `undefined`) per key, in the keys' order.
 */
export function getMany(
  store: StateStore,
  keys: readonly string[],
): Promise<(StoreEntry | undefined)[]> {
  return store.getMany !== undefined
    ? store.getMany(keys)
    : Promise.all(keys.map((key) => store.get(key)));
}

/** The longest key accepted, in characters. */
export const MAX_STORE_KEY_LENGTH = 512;

const TOKEN = /^[A-Za-z0-9_=-]+$/;

/**
 * Checks a key against the store rules.
 *
 * @throws {KeyInvalidError} When it is not a string, is empty or too long, or
 *   has an empty token or a character outside letters, digits, `_`, `-`, `=` and `.`.
 */
export function validateKey(key: unknown): string {
  if (typeof key !== "string") throw new KeyInvalidError(String(key), "must be a string");
  if (key.length === 0) throw new KeyInvalidError(key, "must not be empty");
  if (key.length > MAX_STORE_KEY_LENGTH) {
    throw new KeyInvalidError(
      key,
      `is ${key.length} characters; the limit is ${MAX_STORE_KEY_LENGTH}`,
    );
  }
  for (const token of key.split(".")) {
    if (!TOKEN.test(token)) {
      throw new KeyInvalidError(
        key,
        "tokens between dots must be non-empty letters, digits, '_', '-' or '=' " +
          "(no spaces, '*' or '>')",
      );
    }
  }
  return key;
}

/** Checks a value's type and size before any write. */
export function validateValue(key: string, value: unknown, maxValueBytes: number): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`value for '${key}' must be a Uint8Array`);
  }
  if (value.byteLength > maxValueBytes) {
    throw new ValueTooLargeError(key, value.byteLength, maxValueBytes);
  }
  return value;
}

/** Checks an expected revision: a safe integer >= 0. */
export function validateRevision(revision: unknown): number {
  if (typeof revision !== "number" || !Number.isSafeInteger(revision) || revision < 0) {
    throw new TypeError(`expected revision must be an integer >= 0, got ${String(revision)}`);
  }
  return revision;
}

const SAFE = /^[A-Za-z0-9_-]$/;

/**
 * Encodes any text as one key token: letters, digits, `_` and `-` stay, every
 * other character becomes `=` and two hex digits per UTF-8 byte. The
 * encoding keeps prefixes (a prefix of the text encodes to a prefix of the
 * token), so prefix listing still works.
 *
 * @example
 * ```ts
 * import { encodeKeyToken } from "./store.ts";
 * console.log(encodeKeyToken("trial:3.a b")); // "trial=3A3=2Ea=20b"
 * ```
 */
export function encodeKeyToken(text: string): string {
  let out = "";
  for (const char of text) {
    if (SAFE.test(char)) {
      out += char;
      continue;
    }
    for (const byte of new TextEncoder().encode(char)) {
      out += "=" + byte.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  return out;
}
