/**
 * Store wrappers for persistence tests.
 *
 * @module
 */

import type { StateStore, StoreEntry } from "../../store/store.ts";

/** Wraps a store: counts writes, and can delay each write. */
export class CountingStore implements StateStore {
  readonly kind: StateStore["kind"];
  readonly maxValueBytes: number;
  /** Writes that reached the inner store. */
  puts = 0;
  /** Delay of each write, in real milliseconds. */
  putDelayMs = 0;
  #inner: StateStore;

  constructor(inner: StateStore) {
    this.#inner = inner;
    this.kind = inner.kind;
    this.maxValueBytes = inner.maxValueBytes;
  }

  get(key: string): Promise<StoreEntry | undefined> {
    return this.#inner.get(key);
  }

  async put(key: string, value: Uint8Array, expectedRevision: number): Promise<number> {
    if (this.putDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.putDelayMs));
    this.puts++;
    return await this.#inner.put(key, value, expectedRevision);
  }

  delete(key: string, expectedRevision: number): Promise<void> {
    return this.#inner.delete(key, expectedRevision);
  }

  keys(prefix: string): Promise<string[]> {
    return this.#inner.keys(prefix);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
