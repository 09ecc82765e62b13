/**
 * Actors for the trace tests: a relay that, in its turn, tells and asks an
 * echo actor (on another host in the process test), so one request makes
 * a chain of spans across hosts.
 *
 * @module
 */

import { type ActorRef, type Ask, defineActor, type Tell } from "../../mod.ts";

/** The echo's messages. */
export type TraceEchoProtocol = {
  note: Tell<string>;
  echo: Ask<string, string>;
};

/** Answers `echo` with the text and its host; counts `note`s. */
export const TraceEcho = defineActor<TraceEchoProtocol, number>({
  type: "trace-echo",
  module: import.meta.url,
  init: () => 0,
  tells: { note: (n) => n + 1 },
  asks: { echo: (n, text, ctx) => ({ state: n, reply: `${text} from ${ctx.self.id}` }) },
});

/** The relay's messages. */
export type TraceRelayProtocol = {
  forward: Ask<{ to: ActorRef<TraceEchoProtocol>; text: string }, string>;
};

/** Tells `note`, then asks `echo` of the actor it is given, and replies with the answer. */
export const TraceRelay = defineActor<TraceRelayProtocol, null>({
  type: "trace-relay",
  module: import.meta.url,
  init: () => null,
  asks: {
    forward: async (state, { to, text }) => {
      to.tell("note", text);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { state, reply: await to.ask("echo", text) };
    },
  },
});
