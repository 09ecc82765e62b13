/**
 * An actor that receives, makes and forwards tensors, for the tests of
 * buffers moved between worker hosts. Loaded by worker hosts from this
 * module's URL.
 *
 * @module
 */

import { type ActorRef, type Ask, defineActor, type Tell, transfer } from "../../mod.ts";

/** What a received tensor looked like. */
export interface Seen {
  /** Its floats. */
  readonly length: number;
  /** The sum of its floats. */
  readonly sum: number;
}

/** The tensor actor's messages. */
export type TensorProtocol = {
  /** Takes a tensor: its sum joins the history. */
  take: Tell<Float32Array>;
  /** The sums of the tensors taken, in the order they were handled. */
  history: Ask<void, readonly number[]>;
  /** Looks at a tensor. */
  see: Ask<Float32Array, Seen>;
  /** Looks at every tensor of a record (nested, and one buffer seen through two views). */
  seeAll: Ask<{ readonly a: Float32Array; readonly b: readonly Float64Array[] }, Seen[]>;
  /** Makes a tensor of `length` ones and gives it up in the reply. */
  make: Ask<number, Float32Array>;
  /** Makes a tensor of `length` twos and has `to` look at it (moved on the way). */
  relay: Ask<{ readonly to: ActorRef<TensorProtocol>; readonly length: number }, Seen>;
};

function seen(t: ArrayLike<number>): Seen {
  let sum = 0;
  for (let i = 0; i < t.length; i++) sum += t[i];
  return { length: t.length, sum };
}

/** Receives, makes and forwards tensors. */
export const Tensors = defineActor<TensorProtocol, readonly number[]>({
  type: "tensors",
  module: import.meta.url,
  init: () => [],
  tells: { take: (s, t) => [...s, seen(t).sum] },
  asks: {
    history: (s) => ({ state: s, reply: s }),
    see: (s, t) => ({ state: s, reply: seen(t) }),
    seeAll: (s, { a, b }) => ({ state: s, reply: [seen(a), ...b.map(seen)] }),
    make: (s, length) => ({ state: s, reply: transfer(new Float32Array(length).fill(1)) }),
    relay: async (s, { to, length }) => {
      const reply = await to.ask("see", transfer(new Float32Array(length).fill(2)));
      return { state: s, reply };
    },
  },
});
