/**
 * The actors of the seeded simulation: persistent counters that tag each
 * write with the activation that made it, a recorder of numbered tells, and
 * pingers that send those tells from other hosts.
 *
 * @module
 */

import { type ActorRef, type Ask, defineActor, type Tell } from "../mod.ts";

/** A counter's stored state: the count and the actor that wrote it last. */
export interface SimCounterState {
  readonly count: number;
  readonly writer: string;
}

/** A persistent counter; every change names its writer, for the double-activation oracle. */
export const SimCounter = defineActor<
  { add: Ask<number, number>; get: Ask<void, number> },
  SimCounterState
>({
  type: "sim-counter",
  init: () => ({ count: 0, writer: "" }),
  persistence: { version: 1 },
  tells: {},
  asks: {
    add: (s, n, ctx) => ({
      state: { count: s.count + n, writer: ctx.self.id },
      reply: s.count + n,
    }),
    get: (s) => ({ state: s, reply: s.count }),
  },
});

/** What the recorder knows about one sender. */
export interface SenderRecord {
  /** Tells received. */
  readonly received: number;
  /** The highest sequence number seen. */
  readonly lastSeq: number;
  /** Tells that arrived with a sequence number not above the previous one. */
  readonly outOfOrder: number;
}

/** The recorder's protocol. */
export type RecorderProtocol = {
  record: Tell<{ from: string; seq: number }>;
  report: Ask<void, Record<string, SenderRecord>>;
};

/** Records numbered tells per sender: counts, order. */
export const SimRecorder = defineActor<RecorderProtocol, Record<string, SenderRecord>>({
  type: "sim-recorder",
  init: () => ({}),
  tells: {
    record: (s, { from, seq }) => {
      const before = s[from] ?? { received: 0, lastSeq: 0, outOfOrder: 0 };
      s[from] = {
        received: before.received + 1,
        lastSeq: Math.max(before.lastSeq, seq),
        outOfOrder: before.outOfOrder + (seq <= before.lastSeq ? 1 : 0),
      };
      return s;
    },
  },
  asks: { report: (s) => ({ state: s, reply: s }) },
});

/** The pinger's protocol. */
export type PingerProtocol = { tick: Tell; halt: Tell; sent: Ask<void, number> };

/**
 * Sends `perTick` numbered tells to a recorder every 50 ms, on its own, so
 * that it also sends while its host is cut off (those become dead letters);
 * `halt` stops it; `sent` says how many it has sent.
 */
export const SimPinger = defineActor<
  PingerProtocol,
  { to: ActorRef<RecorderProtocol>; perTick: number; sent: number },
  { to: ActorRef<RecorderProtocol>; perTick: number }
>({
  type: "sim-pinger",
  init: ({ to, perTick }, ctx) => {
    ctx.timers.every("tick", 50, "tick");
    return { to, perTick, sent: 0 };
  },
  tells: {
    tick: (s, _, ctx) => {
      for (let i = 1; i <= s.perTick; i++) {
        s.to.tell("record", { from: ctx.self.id, seq: s.sent + i });
      }
      return { ...s, sent: s.sent + s.perTick };
    },
    halt: (s, _, ctx) => {
      ctx.timers.cancel("tick");
      return s;
    },
  },
  asks: { sent: (s) => ({ state: s, reply: s.sent }) },
});
