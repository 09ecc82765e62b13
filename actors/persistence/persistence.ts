/**
 * Persistent actor state: the definition option that makes an actor
 * persistent, and the state codec (a schema version plus MessagePack).
 *
 * Stored bytes: one format byte (`0xA5`), the schema version as a 32-bit
 * big-endian unsigned integer, then the state as MessagePack; a cluster's
 * writes put the holder record of `key_holder.ts` first.
 *
 * @module
 */

import { Packr } from "npm:msgpackr@2.1.3";
import { StateDecodeError, StateEncodeError } from "./errors.ts";
import { encodeKeyToken } from "../../store/store.ts";
import { stateBytes } from "./key_holder.ts";

/**
 * Makes an actor type persistent: its state is loaded before its first
 * message and saved after every turn that changed it (a handler returned a
 * different state object), before the reply of an ask is released.
 *
 * @typeParam S The state type.
 */
export interface PersistenceSpec<S> {
  /**
   * The schema version of the state this definition writes (a positive
   * integer). Stored state of an older version goes through `migrate`; of a
   * newer version, it stops the actor with `StateDecodeError`.
   */
  readonly version: number;
  /**
   * Upgrades state stored by an older version of the definition.
   *
   * @param fromVersion The stored version.
   * @param stored The stored state (after `decode`, if given).
   * @returns State of the current version.
   */
  readonly migrate?: (fromVersion: number, stored: unknown) => S;
  /**
   * Turns the state into plain data before it is stored (for Maps, class
   * instances and the like). @default {the state itself}
   */
  readonly encode?: (state: S) => unknown;
  /** Turns stored plain data back into state; the inverse of `encode`. @default {the data itself} */
  readonly decode?: (data: unknown) => S;
}

const FORMAT = 0xa5;
const HEADER_BYTES = 5;
const packr = new Packr({ useRecords: false, moreTypes: true });

/** The store key of an actor's state: `state.` and the encoded persistence key. */
export function stateKey(persistKey: string): string {
  return `state.${encodeKeyToken(persistKey)}`;
}

/**
 * Encodes state with its schema version.
 *
 * @throws {StateEncodeError} When the state holds something that would not come back the same.
 */
export function encodeState<S>(state: S, spec: PersistenceSpec<S>): Uint8Array {
  return packData(plainData(state, spec), spec.version);
}

/**
 * The plain data state is stored as (after `spec.encode`), checked.
 *
 * @throws {StateEncodeError} When it holds something that would not come back the same.
 */
export function plainData<S>(state: S, spec: PersistenceSpec<S>): unknown {
  const data = spec.encode === undefined ? state : spec.encode(state);
  checkPlain(data, "state", new Set());
  return data;
}

/**
 * Plain data with its schema version, in the stored format.
 *
 * @param prefix What goes first: the holder record of the activation that writes (`key_holder.ts`).
 */
export function packData(
  data: unknown,
  version: number,
  prefix: Uint8Array = EMPTY,
): Uint8Array {
  const body = packr.pack(data);
  const at = prefix.byteLength;
  const bytes = new Uint8Array(at + HEADER_BYTES + body.byteLength);
  bytes.set(prefix);
  bytes[at] = FORMAT;
  new DataView(bytes.buffer).setUint32(at + 1, version);
  bytes.set(body, at + HEADER_BYTES);
  return bytes;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes stored state, migrating it when it is older.
 *
 * @returns The state, and whether it was migrated (then it should be written back).
 * @throws {StateDecodeError} For corrupt bytes, an unknown format, a newer version, or an
 *   older version without `migrate` (or a `migrate` that throws).
 */
export function decodeState<S>(
  bytes: Uint8Array,
  spec: PersistenceSpec<S>,
  key: string,
): { state: S; migrated: boolean } {
  bytes = stateBytes(bytes);
  if (bytes.byteLength < HEADER_BYTES || bytes[0] !== FORMAT) {
    throw new StateDecodeError(key, "not a stored actor state (unknown format byte)");
  }
  const version = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
  if (version > spec.version) {
    throw new StateDecodeError(
      key,
      `stored schema version ${version} is newer than this definition's ${spec.version}`,
    );
  }
  let data: unknown;
  try {
    data = packr.unpack(bytes.subarray(HEADER_BYTES));
  } catch (err) {
    throw new StateDecodeError(key, "corrupt MessagePack", { cause: err });
  }
  return stateFromData(version, data, spec, key);
}

/**
 * State from stored plain data of a schema version, migrating it when it is older.
 *
 * @throws {StateDecodeError} For a newer version, or an older version
 *   without `migrate` (or a `decode` or `migrate` that throws).
 */
export function stateFromData<S>(
  version: number,
  data: unknown,
  spec: PersistenceSpec<S>,
  key: string,
): { state: S; migrated: boolean } {
  if (version > spec.version) {
    throw new StateDecodeError(
      key,
      `stored schema version ${version} is newer than this definition's ${spec.version}`,
    );
  }
  try {
    const decoded = spec.decode === undefined ? data : spec.decode(data);
    if (version === spec.version) return { state: decoded as S, migrated: false };
    if (spec.migrate === undefined) {
      throw new StateDecodeError(
        key,
        `stored schema version ${version} is older than ${spec.version} and there is no migrate hook`,
      );
    }
    return { state: spec.migrate(version, decoded), migrated: true };
  } catch (err) {
    if (err instanceof StateDecodeError) throw err;
    throw new StateDecodeError(key, `decode or migrate threw: ${(err as Error)?.message}`, {
      cause: err,
    });
  }
}

/** Refuses values the codec would not give back unchanged. */
function checkPlain(value: unknown, path: string, seen: Set<object>): void {
  if (value === null || typeof value !== "object") {
    if (typeof value === "function") throw new StateEncodeError(path, "a function");
    if (typeof value === "symbol") throw new StateEncodeError(path, "a symbol");
    return;
  }
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof ArrayBuffer) return;
  if (seen.has(value)) throw new StateEncodeError(path, "a cycle");
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkPlain(value[i], `${path}[${i}]`, seen);
  } else if (value instanceof Set) {
    let i = 0;
    for (const item of value) checkPlain(item, `${path}<set item ${i++}>`, seen);
  } else if (value instanceof Map) {
    throw new StateEncodeError(path, "a Map (it would come back as a plain object)");
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new StateEncodeError(path, `an instance of ${proto?.constructor?.name ?? "a class"}`);
    }
    for (const key in value) {
      if (key === "__proto__") throw new StateEncodeError(path, "a key named __proto__");
      checkPlain((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
    }
  }
  seen.delete(value);
}
