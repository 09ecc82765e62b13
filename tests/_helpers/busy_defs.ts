/**
 * Actors that keep their host busy the ways users do: synchronous compute
 * in a handler, work split into self-told steps, a tight self-telling loop,
 * tensors in messages. Loaded by host agents from this module's URL.
 *
 * @module
 */

import { type ActorRef, type Ask, defineActor, type Tell } from "../../mod.ts";

/** Runs the CPU for `ms` milliseconds without yielding. */
export function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: a handler computing.
  }
}

/** What a worker actor has done so far. */
export interface Progress {
  /** Steps of `steps` done. */
  readonly steps: number;
  /** Tells of `loop` handled. */
  readonly loops: number;
  /** Floats received in `take`. */
  readonly floats: number;
  /** Messages handled in all. */
  readonly handled: number;
}

/** The busy worker's messages. */
export type BusyProtocol = {
  /** Computes for `ms` without yielding, then answers `ms`. */
  spin: Ask<number, number>;
  /** Computes `ms`, then tells itself the next of `left` steps. */
  steps: Tell<{ readonly left: number; readonly ms: number }>;
  /** Tells itself `left` more times, as fast as it can. */
  loop: Tell<number>;
  /** Takes a tensor (counts its floats). */
  take: Tell<Float32Array>;
  /** Sums a tensor and answers the sum of its first 8 floats. */
  sum: Ask<Float32Array, number>;
  /** Its progress. */
  progress: Ask<null, Progress>;
};

/** A worker that computes in its handlers. */
export const ProcBusy = defineActor<BusyProtocol, Progress>({
  type: "proc-busy",
  module: import.meta.url,
  init: () => ({ steps: 0, loops: 0, floats: 0, handled: 0 }),
  tells: {
    steps: (s, { left, ms }, ctx) => {
      spin(ms);
      if (left > 1) ctx.self.tell("steps", { left: left - 1, ms });
      return { ...s, steps: s.steps + 1, handled: s.handled + 1 };
    },
    loop: (s, left, ctx) => {
      if (left > 1) ctx.self.tell("loop", left - 1);
      return { ...s, loops: s.loops + 1, handled: s.handled + 1 };
    },
    take: (s, tensor) => ({ ...s, floats: s.floats + tensor.length, handled: s.handled + 1 }),
  },
  asks: {
    spin: (s, ms) => {
      spin(ms);
      return { state: { ...s, handled: s.handled + 1 }, reply: ms };
    },
    sum: (s, tensor) => {
      let sum = 0;
      for (let i = 0; i < Math.min(8, tensor.length); i++) sum += tensor[i];
      return {
        state: { ...s, floats: s.floats + tensor.length, handled: s.handled + 1 },
        reply: sum,
      };
    },
    progress: (s) => ({ state: s, reply: s }),
  },
});

/** The fan's messages. */
export type FanProtocol = {
  /** Tells `hit` `count` times to each peer, in rounds of 1,000 per turn. */
  blast: Tell<{ readonly peers: readonly ActorRef<FanProtocol>[]; readonly count: number }>;
  /** One message from a peer. */
  hit: Tell<number>;
  /** How many hits it received. */
  received: Ask<null, number>;
};

/** Sends to every peer and counts what it receives: all-to-all traffic. */
export const ProcFan = defineActor<FanProtocol, number>({
  type: "proc-fan",
  module: import.meta.url,
  init: () => 0,
  tells: {
    blast: (s, { peers, count }, ctx) => {
      const round = Math.min(count, 1_000);
      for (const peer of peers) for (let i = 0; i < round; i++) peer.tell("hit", i);
      if (count > round) ctx.self.tell("blast", { peers, count: count - round });
      return s;
    },
    hit: (s) => s + 1,
  },
  asks: { received: (s) => ({ state: s, reply: s }) },
});

/** An idle actor, one of a crowd. */
export const ProcIdle = defineActor<{ ping: Ask<null, number> }, number>({
  type: "proc-idle",
  module: import.meta.url,
  init: () => 0,
  asks: { ping: (s) => ({ state: s + 1, reply: s + 1 }) },
});

/** Spawns a crowd of idle children on its host. */
export const ProcCrowd = defineActor<{ populate: Ask<number, number> }, number>({
  type: "proc-crowd",
  module: import.meta.url,
  init: () => 0,
  asks: {
    populate: (s, count, ctx) => {
      for (let i = 0; i < count; i++) ctx.spawn(ProcIdle);
      return { state: s + count, reply: s + count };
    },
  },
});

/** An actor whose `onStop` takes a minute: a stop must cut it off. */
export const ProcStubborn = defineActor<{ ping: Ask<null, string> }, null>({
  type: "proc-stubborn",
  module: import.meta.url,
  init: () => null,
  asks: { ping: (s) => ({ state: s, reply: "pong" }) },
  onStop: () => new Promise((resolve) => setTimeout(resolve, 60_000)),
});
