/**
 * A state store that records every successful write, for the oracle that
 * checks that no two activations of one actor ever both wrote.
 *
 * @module
 */

import type { StateStore, StoreEntry, StoreKind } from "../store/store.ts";

/** One accepted write. */
export interface AcceptedWrite {
  /** The key. */
  readonly key: string;
  /** The revision it created. */
  readonly revision: number;
  /** The bytes written. */
  readonly value: Uint8Array;
}

/** Wraps a store and keeps the history of accepted writes, in order. */
export class RecordingStore implements StateStore {
  readonly #inner: StateStore;
  /** Every accepted write, in the order the store accepted them. */
  readonly writes: AcceptedWrite[] = [];

  /** @param inner The store that does the work. */
  constructor(inner: StateStore) {
    this.#inner = inner;
  }

  get kind(): StoreKind {
    return this.#inner.kind;
  }

  get maxValueBytes(): number {
    return this.#inner.maxValueBytes;
  }

  get(key: string): Promise<StoreEntry | undefined> {
    return this.#inner.get(key);
  }

  async put(key: string, value: Uint8Array, expectedRevision: number): Promise<number> {
    const revision = await this.#inner.put(key, value, expectedRevision);
    this.writes.push({ key, revision, value: value.slice() });
    return revision;
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
