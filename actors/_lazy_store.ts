/**
 * The state store of a host's persistent actors: the one the system was
 * given, or the embedded file store, opened on first use so that a program
 * without persistent actors never loads it, and closed at shutdown.
 *
 * @module
 */

import type { StateStore } from "../store/store.ts";

/** A host's state store, given or opened on first use. */
export class LazyStore {
  readonly #given: StateStore | undefined;
  readonly #stateFile: string;
  #opening: Promise<StateStore> | undefined = undefined;

  /**
   * @param given The store the system was given, or `undefined` to open the file store.
   * @param stateFile The file of the embedded store, used when no store is given.
   */
  constructor(given: StateStore | undefined, stateFile: string) {
    this.#given = given;
    this.#stateFile = stateFile;
  }

  /** The store, opened now if this is its first use. */
  open(): Promise<StateStore> {
    if (this.#given !== undefined) return Promise.resolve(this.#given);
    if (this.#opening === undefined) {
      // The embedded store is loaded on first use, so a program without persistent actors never loads it.
      const opening = import("../store/file_store.ts").then(({ FileStore }) =>
        FileStore.open({ path: this.#stateFile })
      );
      this.#opening = opening;
      // A failed open is not cached: the next activation tries again.
      opening.catch(() => {
        if (this.#opening === opening) this.#opening = undefined;
      });
    }
    return this.#opening;
  }

  /**
   * Closes the store this opened, if it did (a given store is its owner's to
   * close); a store that failed to open is passed over.
   */
  async close(): Promise<void> {
    const opened = this.#opening;
    this.#opening = undefined;
    if (opened !== undefined) await opened.then((store) => store.close(), () => {});
  }
}
