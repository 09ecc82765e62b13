/**
 * An actor that takes, looks at and makes large typed arrays, for the tests
 * and benchmarks of chunked envelopes between host processes. Loaded by
 * host agents from this module's URL.
 *
 * @module
 */

import { type Ask, defineActor, type Tell } from "../../mod.ts";

/** What a received array looked like: its length and a few of its elements. */
export interface Glance {
  /** Its elements. */
  readonly length: number;
  /** Its first element (`-1` when empty). */
  readonly first: number;
  /** Its last element (`-1` when empty). */
  readonly last: number;
  /** A weighted sum of its elements (every element counts: a chunk out of place changes it). */
  readonly sum: number;
}

/** The bulk actor's messages. */
export type BulkProtocol = {
  /** Takes an array (or anything else): its glance joins the history. */
  take: Tell<Float32Array | string>;
  /** The glances of what it took, in the order it was handled. */
  history: Ask<void, readonly (Glance | string)[]>;
  /** Looks at an array. */
  see: Ask<Float32Array, Glance>;
  /** Makes an array of `length` elements, element i being i % 1000. */
  make: Ask<number, Float32Array>;
};

/** A glance at an array; a string is kept as it is. */
export function glance(t: Float32Array | string): Glance | string {
  if (typeof t === "string") return t;
  const n = t.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += t[i] * ((i % 7) + 1);
  return { length: n, first: n === 0 ? -1 : t[0], last: n === 0 ? -1 : t[n - 1], sum };
}

/** An array of `length` elements, element i being i % 1000. */
export function pattern(length: number): Float32Array {
  const t = new Float32Array(length);
  for (let i = 0; i < length; i++) t[i] = i % 1000;
  return t;
}

/** Takes, looks at and makes large typed arrays. */
export const Bulk = defineActor<BulkProtocol, readonly (Glance | string)[]>({
  type: "bulk",
  module: import.meta.url,
  init: () => [],
  tells: { take: (s, t) => [...s, glance(t)] },
  asks: {
    history: (s) => ({ state: s, reply: s }),
    see: (s, t) => ({ state: s, reply: glance(t) as Glance }),
    make: (s, length) => ({ state: s, reply: pattern(length) }),
  },
});
