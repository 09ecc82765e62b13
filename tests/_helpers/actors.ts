/**
 * Small actor definitions shared by tests.
 *
 * @module
 */

import { type Ask, defineActor, type Tell } from "../../mod.ts";

/** A counter: the simplest stateful actor. */
export type CounterProtocol = {
  add: Tell<number>;
  fail: Tell<string>;
  get: Ask<void, number>;
  failAsk: Ask<string, number>;
};

/** A counter; `fail` throws with the given message. */
export const Counter = defineActor<CounterProtocol, number>({
  type: "counter",
  init: () => 0,
  tells: {
    add: (count, n) => count + n,
    fail: (_, message) => {
      throw new Error(message);
    },
  },
  asks: {
    get: (count) => ({ state: count, reply: count }),
    failAsk: (_, message) => {
      throw new Error(message);
    },
  },
});

/** Records every payload it is told, in order. */
export const Recorder = defineActor<
  { record: Tell<unknown>; all: Ask<void, unknown[]> },
  unknown[]
>({
  type: "recorder",
  init: () => [],
  tells: { record: (log, item) => [...log, item] },
  asks: { all: (log) => ({ state: log, reply: log }) },
});
