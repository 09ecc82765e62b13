/**
 * Actor definitions for multi-process cluster tests. Agents import this
 * module (`--import`), and so does the test; `module: import.meta.url` lets
 * a host that lacks a definition import it on demand.
 *
 * @module
 */

import { type ActorRef, type Ask, defineActor, type Tell } from "../../mod.ts";

/** A counter. */
export const ProcCounter = defineActor<
  { add: Tell<number>; get: Ask<void, number>; where: Ask<void, string> },
  number
>({
  type: "proc-counter",
  module: import.meta.url,
  init: () => 0,
  tells: { add: (n, by) => n + by },
  asks: {
    get: (n) => ({ state: n, reply: n }),
    where: (n, _, ctx) => ({ state: n, reply: ctx.self.id.split("/")[0] }),
  },
});

/** The recorder's messages. */
export type RecorderProtocol = {
  record: Tell<{ from: string; seq: number }>;
  sequences: Ask<void, Record<string, number[]>>;
};

/** Records, per sender, the sequence numbers it receives, in arrival order. */
export const ProcRecorder = defineActor<RecorderProtocol, Record<string, number[]>>({
  type: "proc-recorder",
  module: import.meta.url,
  init: () => ({}),
  tells: {
    record: (s, { from, seq }) => {
      (s[from] ??= []).push(seq);
      return s;
    },
  },
  asks: { sequences: (s) => ({ state: s, reply: s }) },
});

/** Sends `count` numbered tells to a recorder, as fast as it can. */
export const ProcSender = defineActor<
  { blast: Ask<{ to: ActorRef<RecorderProtocol>; count: number }, number> },
  null
>({
  type: "proc-sender",
  module: import.meta.url,
  init: () => null,
  asks: {
    blast: (s, { to, count }, ctx) => {
      for (let seq = 0; seq < count; seq++) to.tell("record", { from: ctx.self.id, seq });
      return { state: s, reply: count };
    },
  },
});

/** Echo's messages. */
export type EchoProtocol = {
  echo: Tell<{ text: string; replyTo: ActorRef<{ heard: Tell<string> }> }>;
};

/** Tells `heard` back to the ref it was given. */
export const ProcEcho = defineActor<EchoProtocol, null>({
  type: "proc-echo",
  module: import.meta.url,
  init: () => null,
  tells: {
    echo: (s, { text, replyTo }, ctx) => {
      replyTo.tell("heard", `${text} via ${ctx.self.id}`);
      return s;
    },
  },
});

/** Forwards a text and a reply ref to an echo on yet another host. */
export const ProcRelay = defineActor<
  {
    relay: Tell<
      { text: string; echo: ActorRef<EchoProtocol>; replyTo: ActorRef<{ heard: Tell<string> }> }
    >;
  },
  null
>({
  type: "proc-relay",
  module: import.meta.url,
  init: () => null,
  tells: {
    relay: (s, { text, echo, replyTo }, ctx) => {
      echo.tell("echo", { text: `${text} via ${ctx.self.id}`, replyTo });
      return s;
    },
  },
});

/** The persistent counter's messages. */
export type ProcPCounterProtocol = {
  addAndGet: Ask<number, number>;
  get: Ask<void, number>;
  where: Ask<void, string>;
};

/** A persistent counter. */
export const ProcPCounter = defineActor<ProcPCounterProtocol, { count: number }>({
  type: "proc-pcounter",
  module: import.meta.url,
  init: () => ({ count: 0 }),
  persistence: { version: 1 },
  asks: {
    addAndGet: (s, n) => ({ state: { count: s.count + n }, reply: s.count + n }),
    get: (s) => ({ state: s, reply: s.count }),
    where: (s, _, ctx) => ({ state: s, reply: ctx.self.id.split("/")[0] }),
  },
});

/** Claims cluster-wide names for itself. */
export const ProcRegistrar = defineActor<{ claim: Ask<string, boolean> }, null>({
  type: "proc-registrar",
  module: import.meta.url,
  init: () => null,
  asks: {
    claim: async (s, name, ctx) => {
      try {
        await ctx.register(name);
        return { state: s, reply: true };
      } catch (err) {
        if ((err as Error).name === "NameTakenError") return { state: s, reply: false };
        throw err;
      }
    },
  },
});

/** A worker that fails on `crash`, for inspection and supervision tests. */
export const ProcFlaky = defineActor<{ work: Tell<number>; crash: Tell<string> }, number>({
  type: "proc-flaky",
  module: import.meta.url,
  init: () => 0,
  tells: {
    work: (n, by) => n + by,
    crash: (_, why) => {
      throw new Error(why);
    },
  },
  asks: {},
});

/** The notes' messages: a shared, ordered log that actors on any host write into. */
export type NotesProtocol = { note: Ask<string, true>; lines: Ask<void, string[]> };

/** A log that actors on any host write into (with an ask, so a note is in before they go on). */
export const ProcNotes = defineActor<NotesProtocol, string[]>({
  type: "proc-notes",
  module: import.meta.url,
  init: () => [],
  asks: {
    note: (lines, line) => ({ state: [...lines, line], reply: true }),
    lines: (lines) => ({ state: lines, reply: lines }),
  },
});

/** What a starter is told at spawn. */
export interface StarterArgs {
  readonly label: string;
  readonly notes: ActorRef<NotesProtocol>;
  /** Whether its `init` throws `<label> cannot start`. */
  readonly fail: boolean;
  /** How long its `init` takes. */
  readonly initMs: number;
}

/**
 * A worker whose start takes `initMs` and notes `init <label>`, then
 * `up <label>` (or throws); its stop notes `stop <label>`.
 */
export const ProcStarter = defineActor<{ label: Ask<void, string> }, StarterArgs, StarterArgs>({
  type: "proc-starter",
  module: import.meta.url,
  init: async (args) => {
    await args.notes.ask("note", `init ${args.label}`);
    await new Promise((resolve) => setTimeout(resolve, args.initMs));
    if (args.fail) throw new Error(`${args.label} cannot start`);
    await args.notes.ask("note", `up ${args.label}`);
    return args;
  },
  onStop: async (args) => {
    await args.notes.ask("note", `stop ${args.label}`);
  },
  asks: { label: (args) => ({ state: args, reply: args.label }) },
});
