/**
 * A bounded memory of ended things and why they ended: the oldest is
 * forgotten first, so the memory cannot grow without limit.
 *
 * @module
 */

/** Keys and their reasons, at most `capacity` of them. */
export class Tombstones<R> {
  readonly #capacity: number;
  readonly #reasons = new Map<string, R>();

  /** @param capacity How many are remembered. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Why `key` ended, if it is remembered. */
  get(key: string): R | undefined {
    return this.#reasons.get(key);
  }

  /** Remembers that `key` ended, and why (the first reason stays). */
  set(key: string, reason: R): void {
    if (this.#reasons.has(key)) return;
    this.#reasons.set(key, reason);
    if (this.#reasons.size > this.#capacity) {
      this.#reasons.delete(this.#reasons.keys().next().value as string);
    }
  }
}
