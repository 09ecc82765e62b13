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

/** Reads refs sent to it: a sum, or a digest of the array's bytes. */
export const ObjReader = defineActor<
  {
    read: Ask<ObjectRef<Float32Array>, ReadResult>;
    digest: Ask<ObjectRef<Float32Array>, { digest: number; bytes: number } | { failed: string }>;
  },
  null
>({
  type: "obj-reader",
  module: import.meta.url,
  init: () => null,
  asks: {
    read: async (s, obj) => ({ state: s, reply: await readObject(obj) }),
    digest: async (s, obj) => {
      try {
        const values = await obj.get();
        const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
        return { state: s, reply: { digest: digestOf(bytes), bytes: bytes.byteLength } };
      } catch (err) {
        return { state: s, reply: { failed: String(err) } };
      }
    },
  },
});

/** FNV-1a over bytes: equal digests of equal lengths mean (almost surely) equal bytes. */
export function digestOf(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

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
