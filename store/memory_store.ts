/**
 * The in-memory state store: for tests and simulations. It follows the same
 * rules as the real backends, and can be switched "down" to test what
 * happens when a store is unreachable.
 *
 * @module
 */

import type { BlobStore } from "./blobs.ts";
import type { StateStore, StoreEntry } from "./store.ts";
import { validateKey, validateRevision, validateValue } from "./store.ts";
import { RevisionConflictError, StoreUnavailableError } from "./errors.ts";

/** Options of {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The largest value accepted, in bytes.
   * @default {1048576}
   */
  readonly maxValueBytes?: number;
}

/** A state store in this process's memory. Lost when the process ends. */
export class MemoryStore implements StateStore, BlobStore {
  readonly kind = "memory";
  readonly maxValueBytes: number;
  #entries = new Map<string, StoreEntry>();
  #blobs = new Map<string, Uint8Array>();
  #sequence = 0;
  #available = true;
  #closed = false;

  /**
   * Makes an empty store.
   *
   * @param options The value size limit.
   */
  constructor(options: MemoryStoreOptions = {}) {
    this.maxValueBytes = options.maxValueBytes ?? 1024 * 1024;
  }

  /** Simulates an outage: while `false`, every call fails with `StoreUnavailableError`. */
  set available(available: boolean) {
    this.#available = available;
  }

  /** Whether the store answers calls. */
  get available(): boolean {
    return this.#available && !this.#closed;
  }

  get(key: string): Promise<StoreEntry | undefined> {
    return this.#call("get", () => {
      const entry = this.#entries.get(validateKey(key));
      return entry === undefined
        ? undefined
        : { value: entry.value.slice(), revision: entry.revision };
    });
  }

  /** Reads many keys in one step. */
  getMany(keys: readonly string[]): Promise<(StoreEntry | undefined)[]> {
    return this.#call("getMany", () => {
      for (const key of keys) validateKey(key);
      return keys.map((key) => {
        const entry = this.#entries.get(key);
        return entry === undefined
          ? undefined
          : { value: entry.value.slice(), revision: entry.revision };
      });
    });
  }

  put(key: string, value: Uint8Array, expectedRevision: number): Promise<number> {
    return this.#call("put", () => {
      validateKey(key);
      validateValue(key, value, this.maxValueBytes);
      validateRevision(expectedRevision);
      const current = this.#entries.get(key)?.revision ?? 0;
      if (current !== expectedRevision) throw new RevisionConflictError(key, expectedRevision);
      const revision = ++this.#sequence;
      this.#entries.set(key, { value: value.slice(), revision });
      return revision;
    });
  }

  delete(key: string, expectedRevision: number): Promise<void> {
    return this.#call("delete", () => {
      validateKey(key);
      validateRevision(expectedRevision);
      const current = this.#entries.get(key)?.revision ?? 0;
      if (current === 0 || current !== expectedRevision) {
        throw new RevisionConflictError(key, expectedRevision);
      }
      this.#sequence++;
      this.#entries.delete(key);
    });
  }

  keys(prefix: string): Promise<string[]> {
    return this.#call(
      "keys",
      () => [...this.#entries.keys()].filter((k) => k.startsWith(prefix)).sort(),
    );
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** Writes a blob (a copy, as for keys). */
  putBlob(name: string, bytes: Uint8Array): Promise<void> {
    return this.#call("putBlob", () => void this.#blobs.set(validateKey(name), bytes.slice()));
  }

  /** Reads a blob. */
  getBlob(name: string): Promise<Uint8Array | undefined> {
    return this.#call("getBlob", () => this.#blobs.get(validateKey(name)));
  }

  /** Deletes a blob. */
  deleteBlob(name: string): Promise<void> {
    return this.#call("deleteBlob", () => void this.#blobs.delete(validateKey(name)));
  }

  /** How many blobs it holds (for tests of what is written and deleted). */
  get blobCount(): number {
    return this.#blobs.size;
  }

  #call<T>(operation: string, body: () => T): Promise<T> {
    if (!this.available) {
      return Promise.reject(new StoreUnavailableError("memory", operation, false));
    }
    try {
      return Promise.resolve(body());
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
