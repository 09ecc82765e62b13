/**
 * Large values by name, beside a store's keys: what a key cannot hold
 * (a value above `maxValueBytes`). The memory, file and JetStream stores
 * offer it (JetStream in its object store, `npm:@nats-io/obj`). Durable
 * objects live here, and so do the large typed arrays of persistent state,
 * which the state's key refers to.
 *
 * A blob write is not a compare-and-set: a writer puts a blob under a name
 * of its own (its content hash and the writer in the name), then refers to
 * it from a key written with compare-and-set; that write decides which
 * writer won, and the loser deletes its blobs.
 *
 * @module
 */

import type { StateStore } from "./store.ts";

/** A store of blobs by name; names follow the key rules (`validateKey`). */
export interface BlobStore {
  /**
   * Writes a blob, replacing one of that name.
   *
   * @throws {KeyInvalidError} For a name that breaks the key rules.
   * @throws {StoreUnavailableError} When the store cannot be reached.
   */
  putBlob(name: string, bytes: Uint8Array): Promise<void>;
  /**
   * Reads a blob.
   *
   * @returns Its bytes, or `undefined` when there is none of that name.
   * @throws {StoreUnavailableError} When the store cannot be reached.
   */
  getBlob(name: string): Promise<Uint8Array | undefined>;
  /** Deletes a blob; deleting one that does not exist does nothing. */
  deleteBlob(name: string): Promise<void>;
}

/** The blob side of a store, when it has one. */
export function blobsOf(store: StateStore): BlobStore | undefined {
  const s = store as Partial<BlobStore>;
  return typeof s.putBlob === "function" && typeof s.getBlob === "function" &&
      typeof s.deleteBlob === "function"
    ? store as unknown as BlobStore
    : undefined;
}
