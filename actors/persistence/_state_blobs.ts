/**
 * Large persistent state: typed arrays of at least {@linkcode BLOB_MIN_BYTES}
 * in a state go to the store's blobs (JetStream's object store, the file
 * store's blob table, the memory store), and the state's key keeps a
 * reference to each (docs/persistence.md, "Large state").
 *
 * Stored format `0xa6`: the format byte, the schema version (uint32,
 * big-endian), then one MessagePack array `[refs, data]`, where `data` is
 * the state with `null` in place of each large array and each ref is
 * `{ path, name, type, bytes, hash }` (where the array was, its blob, its
 * class, its size and a 64-bit hash of its bytes). The bytes of a blob are
 * the array's elements as this host holds them (little-endian on every
 * platform Deno runs on).
 *
 * Fencing is unchanged: the state's key is still written with
 * compare-and-set. Each activation writes blobs under names of its own (a
 * random part and a counter), before the key that refers to them; the
 * writer that loses the compare-and-set deletes only its own new blobs,
 * and the winner deletes the blobs its previous state referred to once the
 * new one is stored. An array whose bytes did not change (same path, size,
 * class and hash) is not written again.
 *
 * @module
 */

import { Packr } from "npm:msgpackr@2.1.3";
import type { BlobStore } from "../../store/blobs.ts";
import { StateDecodeError } from "./errors.ts";
import { typedArrayClass } from "../../base/typed_arrays.ts";
import { stateBytes } from "./key_holder.ts";

/** Typed arrays at least this large (in bytes) are stored as blobs. */
export const BLOB_MIN_BYTES = 256 * 1024;

const FORMAT = 0xa6;
const HEADER_BYTES = 5;
const packr = new Packr({ useRecords: false, moreTypes: true });

/** Where a large array was in the state: object keys and array indexes. */
export type StatePath = readonly (string | number)[];

/** A large array of a state, and where it was. */
export interface Slot {
  readonly path: StatePath;
  readonly array: ArrayBufferView;
}

/** A stored reference to a blob holding one array of a state. */
export interface BlobRef {
  readonly path: StatePath;
  readonly name: string;
  readonly type: string;
  readonly bytes: number;
  readonly hash: string;
}

/**
 * Takes the large typed arrays out of plain state data (through plain
 * objects and arrays only): each becomes `null`, and only the containers on
 * its path are copied.
 */
export function splitLarge(
  data: unknown,
  minBytes = BLOB_MIN_BYTES,
): { data: unknown; slots: Slot[] } {
  const slots: Slot[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (value === null || typeof value !== "object") return value;
    if (ArrayBuffer.isView(value)) {
      if (value.byteLength < minBytes || typedArrayClass(value.constructor.name) === undefined) {
        return value;
      }
      slots.push({ path: [...path], array: value });
      return null;
    }
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const next = walk(value[i], path);
        path.pop();
        if (next !== value[i]) (copy ??= [...value])[i] = next;
      }
      return copy ?? value;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      path.push(key);
      const next = walk(item, path);
      path.pop();
      if (next !== item) (copy ??= { ...value as Record<string, unknown> })[key] = next;
    }
    return copy ?? value;
  };
  return { data: walk(data, []), slots };
}

/** Whether stored bytes (with or without a holder record) are in the format with blobs. */
export function hasBlobs(stored: Uint8Array): boolean {
  const bytes = stateBytes(stored);
  return bytes.byteLength >= HEADER_BYTES && bytes[0] === FORMAT;
}

/**
 * State data with references to its blobs, in the stored format `0xa6`.
 *
 * @param prefix What goes first: the holder record of the activation that writes (`key_holder.ts`).
 */
export function packWithBlobs(
  data: unknown,
  version: number,
  refs: readonly BlobRef[],
  prefix: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const body = packr.pack([refs, data]);
  const at = prefix.byteLength;
  const bytes = new Uint8Array(at + HEADER_BYTES + body.byteLength);
  bytes.set(prefix);
  bytes[at] = FORMAT;
  new DataView(bytes.buffer).setUint32(at + 1, version);
  bytes.set(body, at + HEADER_BYTES);
  return bytes;
}

/**
 * Reads stored state of format `0xa6` and its blobs.
 *
 * @returns The schema version, the data with its arrays back in place, and the refs.
 * @throws {StateDecodeError} For corrupt bytes or a blob that is missing or of the wrong size
 *   (`missing: true` when missing: a newer writer may have replaced it).
 */
export async function unpackWithBlobs(
  stored: Uint8Array,
  key: string,
  blobs: BlobStore,
): Promise<{ version: number; data: unknown; refs: BlobRef[] }> {
  const bytes = stateBytes(stored);
  const version = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
  let refs: BlobRef[];
  let data: unknown;
  try {
    [refs, data] = packr.unpack(bytes.subarray(HEADER_BYTES)) as [BlobRef[], unknown];
    if (!Array.isArray(refs)) throw new Error("no refs");
  } catch (err) {
    throw new StateDecodeError(key, "corrupt MessagePack", { cause: err });
  }
  for (const ref of refs) {
    const Class = typedArrayClass(ref.type);
    const stored = await blobs.getBlob(ref.name);
    if (Class === undefined || stored === undefined || stored.byteLength !== ref.bytes) {
      throw Object.assign(
        new StateDecodeError(key, `its blob ${ref.name} is missing or of the wrong size`),
        { missing: stored === undefined },
      );
    }
    data = placeAt(data, ref.path, arrayOf(Class, stored), key);
  }
  return { version, data, refs };
}

/** A typed array over blob bytes, copied once when they are not aligned for its elements. */
function arrayOf(
  Class: new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView,
  bytes: Uint8Array,
): ArrayBufferView {
  const size = (Class as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const own = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new Class(own.buffer as ArrayBuffer, own.byteOffset, own.byteLength / size);
}

function placeAt(data: unknown, path: StatePath, array: ArrayBufferView, key: string): unknown {
  if (path.length === 0) return array;
  let at = data as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    at = at?.[path[i]] as Record<string | number, unknown>;
  }
  if (at === null || typeof at !== "object") {
    throw new StateDecodeError(key, `a blob's place ${path.join(".")} is not in the state`);
  }
  at[path[path.length - 1]] = array;
  return data;
}

/** A 64-bit hash of bytes (two 32-bit lanes), fast enough to run on every save. */
export function hashBytes(bytes: Uint8Array): string {
  const whole = bytes.byteLength >>> 2;
  const words = bytes.byteOffset % 4 === 0
    ? new Uint32Array(bytes.buffer, bytes.byteOffset, whole)
    : new Uint32Array(bytes.slice(0, whole * 4).buffer);
  let h1 = 0x9e3779b1 | 0;
  let h2 = 0x85ebca77 | 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul((h2 + w) | 0, 0x5bd1e995) ^ (h2 >>> 15);
  }
  for (let i = whole * 4; i < bytes.byteLength; i++) h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}
