/**
 * A persistent counter, shared by persistence tests.
 *
 * @module
 */

import { type Ask, defineActor, type Tell } from "../../mod.ts";

/** The persistent counter's messages. */
export type PCounterProtocol = {
  add: Tell<number>;
  addAndGet: Ask<number, number>;
  get: Ask<void, number>;
  crash: Tell;
  grow: Ask<number, number>;
};

/** The persistent counter's state. */
export type PCounterState = { readonly count: number; readonly blob?: Uint8Array };

/** A counter whose state is persisted (schema version 1). */
export const PCounter = defineActor<PCounterProtocol, PCounterState>({
  type: "pcounter",
  init: () => ({ count: 0 }),
  persistence: { version: 1 },
  tells: {
    add: (s, n) => ({ ...s, count: s.count + n }),
    crash: () => {
      throw new Error("crash");
    },
  },
  asks: {
    addAndGet: (s, n) => ({ state: { ...s, count: s.count + n }, reply: s.count + n }),
    get: (s) => ({ state: s, reply: s.count }),
    grow: (s, bytes) => ({ state: { ...s, blob: new Uint8Array(bytes) }, reply: bytes }),
  },
});
