/**
 * Actor definitions for object-ref tests across processes: a holder that
 * puts values (owned by it), and a reader that reads refs sent to it.
 * Agents import this module on demand (`module: import.meta.url`).
 *
 * @module
 */

import { type Ask, defineActor, ObjectLostError, type Tell } from "../../mod.ts";
import type { ObjectRef } from "../../types.ts";

/** What a read gives: the sum and length of the array, or why it is lost. */
export type ReadResult =
  | { readonly sum: number; readonly length: number }
  | { readonly lost: string }
  | { readonly error: string };

/** Puts Float32Arrays whose element i is i % 7, owned by this actor. */
export const ObjHolder = defineActor<
  {
    put: Ask<{ length: number; leaseMs?: number; durable?: boolean }, ObjectRef<Float32Array>>;
    quit: Tell;
  },
  null
>({
  type: "obj-holder",
  module: import.meta.url,
  init: () => null,
  asks: {
    put: async (s, { length, leaseMs, durable }, ctx) => {
      const values = new Float32Array(length);
      for (let i = 0; i < length; i++) values[i] = i % 7;
      return {
        state: s,
        reply: await ctx.put(values, {
          ...(leaseMs === undefined ? {} : { leaseMs }),
          ...(durable === undefined ? {} : { durable }),
        }),
      };
    },
  },
  tells: { quit: (s, _, ctx) => (ctx.stopSelf(), s) },
});

/** Reads refs sent to it. */
export const ObjReader = defineActor<{ read: Ask<ObjectRef<Float32Array>, ReadResult> }, null>({
  type: "obj-reader",
  module: import.meta.url,
  init: () => null,
  asks: { read: async (s, obj) => ({ state: s, reply: await readObject(obj) }) },
});

/** The sum and length of an array behind a ref, or why it cannot be read. */
export async function readObject(obj: ObjectRef<Float32Array>): Promise<ReadResult> {
  try {
    const values = await obj.get();
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i];
    return { sum, length: values.length };
  } catch (err) {
    if (ObjectLostError.is(err)) return { lost: err.reason };
    return { error: String(err) };
  }
}

/** The sum `ObjHolder` puts for a length. */
export function expectedSum(length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += i % 7;
  return sum;
}
