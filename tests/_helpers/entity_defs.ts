/**
 * Entity types shared by the entity tests, in one process and on host
 * agents (which import this module at start).
 *
 * @module
 */

import { type Ask, defineActor, type Tell } from "../../mod.ts";

/** A tally's messages. */
export type TallyProtocol = {
  add: Tell<number>;
  addAndGet: Ask<number, number>;
  total: Ask<void, number>;
  seen: Ask<void, readonly number[]>;
  where: Ask<void, { key: string; actor: string; activation: number }>;
};

/** A tally's state: its key, the sum, and every number in the order it came. */
export type TallyState = {
  readonly key: string;
  readonly total: number;
  readonly seen: readonly number[];
  readonly activation: number;
};

let activations = 0;

/** How many tallies this process activated (each `init` or state load counts once). */
export function tallyActivations(): number {
  return activations;
}

const tallyHandlers = {
  tells: {
    add: (s: TallyState, n: number): TallyState => ({
      ...s,
      total: s.total + n,
      seen: [...s.seen, n],
    }),
  },
  asks: {
    addAndGet: (s: TallyState, n: number) => {
      const next = { ...s, total: s.total + n, seen: [...s.seen, n] };
      return { state: next, reply: next.total };
    },
    total: (s: TallyState) => ({ state: s, reply: s.total }),
    seen: (s: TallyState) => ({ state: s, reply: s.seen }),
  },
};

/** A persistent entity that passivates after 150 ms idle. */
export const Tally = defineActor<TallyProtocol, TallyState, string>({
  type: "tally",
  module: import.meta.url,
  entity: { idleMs: 150 },
  persistence: { version: 1 },
  init: (key) => ({ key, total: 0, seen: [], activation: 0 }),
  onStart: () => {
    activations++;
  },
  tells: tallyHandlers.tells,
  asks: {
    ...tallyHandlers.asks,
    where: (s, _, ctx) => ({
      state: s,
      reply: { key: s.key, actor: ctx.self.id, activation: activations },
    }),
  },
});

/** A persistent entity that stays resident (only a host's cap passivates it). */
export const Ledger = defineActor<TallyProtocol, TallyState, string>({
  type: "ledger",
  module: import.meta.url,
  entity: { idleMs: Infinity },
  persistence: { version: 1 },
  init: (key) => ({ key, total: 0, seen: [], activation: 0 }),
  onStart: () => {
    activations++;
  },
  tells: tallyHandlers.tells,
  asks: {
    ...tallyHandlers.asks,
    where: (s, _, ctx) => ({
      state: s,
      reply: { key: s.key, actor: ctx.self.id, activation: activations },
    }),
  },
});

/** An entity whose stop takes a while, so messages arrive while it passivates. */
export const SlowStop = defineActor<TallyProtocol, TallyState, string>({
  type: "slow-stop",
  module: import.meta.url,
  entity: { idleMs: 40 },
  persistence: { version: 1 },
  init: (key) => ({ key, total: 0, seen: [], activation: 0 }),
  onStop: () => new Promise((resolve) => setTimeout(resolve, 150)),
  tells: tallyHandlers.tells,
  asks: {
    ...tallyHandlers.asks,
    where: (s, _, ctx) => ({
      state: s,
      reply: { key: s.key, actor: ctx.self.id, activation: activations },
    }),
  },
});
