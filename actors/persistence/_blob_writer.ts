/**
 * The blobs of one activation of a persistent actor (`_state_blobs.ts`):
 * writes the large arrays that changed under names of its own, and deletes
 * what no stored state refers to any more.
 *
 * @module
 */

import type { BlobStore } from "../../store/blobs.ts";
import { type BlobRef, hashBytes, type Slot } from "./_state_blobs.ts";

const pathKey = (path: readonly (string | number)[]): string => JSON.stringify(path);

/** The blobs of one activation. */
export class BlobWriter {
  readonly #blobs: BlobStore;
  readonly #prefix: string;
  #sequence = 0;
  /** The refs of the last state stored (or loaded). */
  #current: readonly BlobRef[] = [];

  /**
   * @param blobs Where blobs go.
   * @param key The state's key: blob names are `<key>.blob.<random>.<n>`.
   */
  constructor(blobs: BlobStore, key: string) {
    this.#blobs = blobs;
    const random = crypto.getRandomValues(new Uint32Array(2));
    this.#prefix = `${key}.blob.${random[0].toString(36)}${random[1].toString(36)}`;
  }

  /** The refs of the state that was loaded: its blobs are reused while unchanged. */
  adopt(refs: readonly BlobRef[]): void {
    this.#current = refs;
  }

  /**
   * Writes the arrays that differ from the last stored state's.
   *
   * @returns The refs of every array, and the names written now.
   */
  async write(slots: readonly Slot[]): Promise<{ refs: BlobRef[]; written: string[] }> {
    const previous = new Map(this.#current.map((ref) => [pathKey(ref.path), ref]));
    const refs: BlobRef[] = [];
    const written: string[] = [];
    try {
      for (const slot of slots) {
        const bytes = new Uint8Array(
          slot.array.buffer,
          slot.array.byteOffset,
          slot.array.byteLength,
        );
        const hash = hashBytes(bytes);
        const type = slot.array.constructor.name;
        const before = previous.get(pathKey(slot.path));
        if (
          before !== undefined && before.hash === hash && before.bytes === bytes.byteLength &&
          before.type === type
        ) {
          refs.push(before);
          continue;
        }
        const name = `${this.#prefix}.${this.#sequence++}`;
        await this.#blobs.putBlob(name, bytes);
        written.push(name);
        refs.push({ path: slot.path, name, type, bytes: bytes.byteLength, hash });
      }
    } catch (err) {
      await this.abandon(written);
      throw err;
    }
    return { refs, written };
  }

  /** A state with these refs is stored: the blobs only the one before referred to go. */
  async committed(refs: readonly BlobRef[]): Promise<void> {
    const kept = new Set(refs.map((ref) => ref.name));
    const gone = this.#current.filter((ref) => !kept.has(ref.name));
    this.#current = refs;
    await this.#delete(gone.map((ref) => ref.name));
  }

  /** The write they were for lost (or failed): delete the blobs written for it. */
  async abandon(written: readonly string[]): Promise<void> {
    await this.#delete(written);
  }

  async #delete(names: readonly string[]): Promise<void> {
    for (const name of names) {
      // A blob left behind costs space, never correctness: nothing refers to it.
      await this.#blobs.deleteBlob(name).catch(() => {});
    }
  }
}
