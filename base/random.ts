/**
 * The randomness seam: the few random values an actor system draws (the
 * unguessable part of ask correlation ids) come from a
 * {@linkcode RandomSource}, so a deterministic simulation can pass a seeded
 * one and replay a run byte for byte.
 *
 * @module
 */

/** Fills an array with random 32-bit values. */
export type RandomSource = (into: Uint32Array) => void;

/** The platform's cryptographically strong randomness. */
export function cryptoRandom(into: Uint32Array): void {
  crypto.getRandomValues(into);
}
