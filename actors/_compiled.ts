/**
 * The run-time form of a definition: one lookup table from message name to
 * handler entry, built once per definition and cached.
 *
 * @module
 */

import type { ActorDefinition } from "./definition.ts";
import type { ActorContext } from "./context.ts";
import type { MailboxOptions } from "./mailbox.ts";
import type { PendingAsk } from "./ask.ts";

/**
 * How the cell treats a handler's result:
 * - `"tell"`: the result is the next state;
 * - `"ask"`: the result is `{ state, reply }` and the reply settles the ask;
 * - `"raw"`: the result is the next state and the handler settles the ask itself
 *   (used by test probes, which accept any message).
 */
export type HandlerKind = "tell" | "ask" | "raw";

/** A function the cell calls for one message. */
export type RawHandler = (
  state: unknown,
  payload: unknown,
  ctx: ActorContext<never>,
  ask: PendingAsk | undefined,
  name: string,
) => unknown;

/** One message of a protocol, ready to be queued and run. */
export interface HandlerEntry {
  /** The message name. */
  readonly name: string;
  /** How the result is treated. */
  readonly kind: HandlerKind;
  /** The handler. */
  readonly fn: RawHandler;
}

/** What the cell needs of a definition at run time. */
export interface CompiledDefinition {
  /** The actor type. */
  readonly type: string;
  /** The defining module, when known. */
  readonly module: string | undefined;
  /** The default mailbox. */
  readonly mailbox: MailboxOptions;
  /** The handler for each message name. */
  readonly entries: ReadonlyMap<string, HandlerEntry>;
  /** Makes a handler entry for a name that is not in `entries`, when the actor accepts anything. */
  readonly fallback: ((name: string) => HandlerEntry) | undefined;
  /** Makes the initial state. */
  readonly init: (args: unknown, ctx: ActorContext<never>) => unknown;
  /** Runs after init. */
  readonly onStart: ((state: unknown, ctx: ActorContext<never>) => unknown) | undefined;
  /** Runs at stop. */
  readonly onStop: ((state: unknown, ctx: ActorContext<never>) => unknown) | undefined;
}

const cache = new WeakMap<object, CompiledDefinition>();

/** Returns the compiled form of a definition, building it on first use. */
export function compile<P, S, A>(definition: ActorDefinition<P, S, A>): CompiledDefinition {
  let compiled = cache.get(definition);
  if (compiled === undefined) {
    compiled = build(definition as unknown as ActorDefinition<unknown, unknown, unknown>);
    cache.set(definition, compiled);
  }
  return compiled;
}

/** Registers a hand-made compiled form for a definition object (test probes). */
export function registerCompiled(definition: object, compiled: CompiledDefinition): void {
  cache.set(definition, compiled);
}

function build(definition: ActorDefinition<unknown, unknown, unknown>): CompiledDefinition {
  const spec = definition.spec as unknown as {
    readonly tells?: Record<string, RawHandler>;
    readonly asks?: Record<string, RawHandler>;
    readonly init: CompiledDefinition["init"];
    readonly onStart?: CompiledDefinition["onStart"];
    readonly onStop?: CompiledDefinition["onStop"];
  };
  const entries = new Map<string, HandlerEntry>();
  for (const [name, fn] of Object.entries(spec.tells ?? {})) {
    entries.set(name, Object.freeze({ name, kind: "tell", fn }));
  }
  for (const [name, fn] of Object.entries(spec.asks ?? {})) {
    entries.set(name, Object.freeze({ name, kind: "ask", fn }));
  }
  return Object.freeze({
    type: definition.type,
    module: definition.module,
    mailbox: definition.mailbox,
    entries,
    fallback: undefined,
    init: spec.init,
    onStart: spec.onStart,
    onStop: spec.onStop,
  });
}
