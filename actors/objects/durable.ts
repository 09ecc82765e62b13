/**
 * Durable objects (`put(value, { durable: true })`): the value is written to
 * the state store's blob side (JetStream's object store, the file store's
 * blob table, or the memory store) under `objects.<id>`, so any host that
 * shares the store reads it there, also after its owner and its host are
 * gone. When it ends, a small key `objects.<id>` says why, and the blob is
 * deleted.
 *
 * Blob layout: a format byte `0xb1`, the lease's end as a float 64
 * (milliseconds since the epoch, big-endian; 0 for none), then the value
 * in MessagePack as persistent state is stored (msgpackr, typed arrays
 * included).
 *
 * @module
 */

import { Packr } from "npm:msgpackr@2.1.3";
import type { StateStore } from "../../store/store.ts";
import { blobsOf, type BlobStore } from "../../store/blobs.ts";
import { InvalidOptionError } from "../../base/errors.ts";
import { OBJECT_LOST_REASONS, type ObjectLostReason } from "./errors.ts";

const FORMAT = 0xb1;
const HEADER_BYTES = 9;
const packr = new Packr({ useRecords: false, moreTypes: true });

/** The store name of a durable object's blob and of its end marker. */
export const durableName = (id: string): string => `objects.${id}`;

/** The blob side of the store, or why there is none. */
export function durableStore(store: StateStore): BlobStore {
  const blobs = blobsOf(store);
  if (blobs === undefined) {
    throw new InvalidOptionError(
      "durable",
      true,
      `a state store with blobs (memory, file or JetStream store; this one is '${store.kind}')`,
    );
  }
  return blobs;
}

/** A durable object's blob. */
export function encodeDurable(value: unknown, expiresAtMs: number | undefined): Uint8Array {
  const body = packr.pack(value);
  const bytes = new Uint8Array(HEADER_BYTES + body.byteLength);
  bytes[0] = FORMAT;
  new DataView(bytes.buffer).setFloat64(1, expiresAtMs ?? 0);
  bytes.set(body, HEADER_BYTES);
  return bytes;
}

/** A durable object's value and the end of its lease, or `undefined` when the bytes are not one. */
export function decodeDurable(
  bytes: Uint8Array,
): { value: unknown; expiresAtMs: number | undefined } | undefined {
  if (bytes.byteLength < HEADER_BYTES || bytes[0] !== FORMAT) return undefined;
  const expiresAtMs = new DataView(bytes.buffer, bytes.byteOffset).getFloat64(1);
  try {
    return {
      value: packr.unpack(bytes.subarray(HEADER_BYTES)),
      expiresAtMs: expiresAtMs === 0 ? undefined : expiresAtMs,
    };
  } catch {
    return undefined;
  }
}

/** The end marker's bytes: the reason, in UTF-8. */
export const encodeEnd = (reason: ObjectLostReason): Uint8Array => new TextEncoder().encode(reason);

/** The reason an end marker holds, or `"not-found"`. */
export function decodeEnd(bytes: Uint8Array | undefined): ObjectLostReason {
  const text = bytes === undefined ? "" : new TextDecoder().decode(bytes);
  return OBJECT_LOST_REASONS.includes(text as ObjectLostReason)
    ? text as ObjectLostReason
    : "not-found";
}

/**
 * Writes a durable object.
 *
 * @throws {InvalidOptionError} When the store has no blobs.
 * @throws {StoreUnavailableError} When the store cannot be reached.
 */
export async function writeDurable(
  store: StateStore,
  id: string,
  value: unknown,
  expiresAtMs: number | undefined,
): Promise<void> {
  await durableStore(store).putBlob(durableName(id), encodeDurable(value, expiresAtMs));
}

/** Reads a durable object: its value, or why there is none. */
export async function readDurable(
  store: StateStore,
  id: string,
  nowMs: number,
): Promise<{ value: unknown; expiresAtMs: number | undefined } | { lost: ObjectLostReason }> {
  const ended = await store.get(durableName(id));
  if (ended !== undefined) return { lost: decodeEnd(ended.value) };
  const bytes = await durableStore(store).getBlob(durableName(id));
  const decoded = bytes === undefined ? undefined : decodeDurable(bytes);
  if (decoded === undefined) return { lost: "not-found" };
  if (decoded.expiresAtMs !== undefined && decoded.expiresAtMs <= nowMs) {
    return { lost: "lease-expired" };
  }
  return decoded;
}

/** Whether a durable object has ended (its end marker is there). */
export async function durableEnd(
  store: StateStore,
  id: string,
): Promise<ObjectLostReason | undefined> {
  const ended = await store.get(durableName(id));
  return ended === undefined ? undefined : decodeEnd(ended.value);
}

/** Ends a durable object: the marker says why, then the blob goes. */
export async function endDurable(
  store: StateStore,
  id: string,
  reason: ObjectLostReason,
): Promise<void> {
  try {
    await store.put(durableName(id), encodeEnd(reason), 0);
  } catch (err) {
    // Ended already (by another host): the first reason stays.
    if ((err as { code?: unknown })?.code !== "revision_conflict") throw err;
  }
  await durableStore(store).deleteBlob(durableName(id));
}
