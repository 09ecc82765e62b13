/**
 * The run-time form of a definition: one lookup table from message name to
 * handler entry, built once per definition and cached.
 *
 * @module
 */

import type { ActorDefinition } from "./definition.ts";
import type { ActorContext } from "./context.ts";
import type { MailboxOptions } from "./mailbox.ts";
import type { ReplyTarget } from "./ask.ts";
import type { Cell } from "./cell.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { PersistenceSpec } from "./persistence/persistence.ts";
import type { StandardSchemaV1 } from "./message_schemas.ts";
import { checkedEntries } from "./_message_check.ts";

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
  ask: ReplyTarget | undefined,
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
  /**
   * Set on the runtime's own messages (signals, a child's exit, a restart
   * that is due): they are not the protocol's, so a failure while handling
   * one leaves no dead letter and a final stop drops them silently.
   */
  readonly internal?: true;
}

/** What the cell needs of a definition at run time. */
export interface CompiledDefinition {
  /** The actor type. */
  readonly type: string;
  /** The defining module, when known. */
  readonly module: string | undefined;
  /** The default mailbox, or `undefined` for the system's. */
  readonly mailbox: MailboxOptions | undefined;
  /** The handler for each message name. */
  readonly entries: ReadonlyMap<string, HandlerEntry>;
  /**
   * The entries with each message that has a runtime schema replaced by one
   * that checks its payload first, or `undefined` when the definition has no
   * `schemas` (see `_message_check.ts`).
   */
  readonly checked: ReadonlyMap<string, HandlerEntry> | undefined;
  /** Makes a handler entry for a name that is not in `entries`, when the actor accepts anything. */
  readonly fallback: ((name: string) => HandlerEntry) | undefined;
  /** Makes the initial state. */
  readonly init: (args: unknown, ctx: ActorContext<never>) => unknown;
  /** Runs after init. */
  readonly onStart: ((state: unknown, ctx: ActorContext<never>) => unknown) | undefined;
  /** Runs at stop. */
  readonly onStop:
    | ((state: unknown, ctx: ActorContext<never>, reason: ExitReason) => unknown)
    | undefined;
  /** Makes the actor persistent, when set. */
  readonly persistence: PersistenceSpec<unknown> | undefined;
  /** Delivers lifecycle signals to `onSignal`; `undefined` when the definition has none. */
  readonly signalEntry: HandlerEntry | undefined;
  /**
   * Set for supervisors: told when a child fails or stops, so the supervisor
   * decides. Plain actors leave it `undefined` and their failed children stop.
   */
  readonly childExit: ChildExitHandler | undefined;
  /**
   * Set for supervisors: stops the children in reverse start order (which
   * after restarts is not their spawn order, and includes children on other
   * hosts). Others stop their children in reverse spawn order.
   */
  readonly stopChildren?: StopChildrenHandler;
}

/**
 * Stops a supervisor's children when it stops or restarts, each by
 * `deadlineMs` at the latest; children it leaves are stopped in reverse
 * spawn order after it.
 */
export type StopChildrenHandler = (
  parent: Cell,
  state: unknown,
  reason: ExitReason,
  deadlineMs: number,
) => Promise<void>;

/** How a child ended, as reported to its supervisor. */
export interface ChildExit {
  /** The child. */
  readonly child: Cell;
  /** Why it ended. */
  readonly reason: ExitReason;
  /** The child's incarnation that ended; a report about an older one is stale. */
  readonly incarnation: number;
  /** True when the child has stopped for good; false when it failed and waits for a decision. */
  readonly final: boolean;
}

/** Receives the exits of a supervisor's children (runs outside any turn: it must only enqueue). */
export type ChildExitHandler = (parent: Cell, exit: ChildExit) => void;

const cache = new WeakMap<object, CompiledDefinition>();

/** The name signals are handled under in records (a protocol cannot use it: it has a `~`). */
export const SIGNAL_MESSAGE = "~signal";

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

/** Compiles a definition with a child-exit handler and a way to stop its children (supervisors). */
export function compileWith<P, S, A>(
  definition: ActorDefinition<P, S, A>,
  childExit: ChildExitHandler,
  stopChildren: StopChildrenHandler,
): void {
  const base = build(definition as unknown as ActorDefinition<unknown, unknown, unknown>);
  cache.set(definition, Object.freeze({ ...base, childExit, stopChildren }));
}

function build(definition: ActorDefinition<unknown, unknown, unknown>): CompiledDefinition {
  const spec = definition.spec as unknown as {
    readonly tells?: Record<string, RawHandler>;
    readonly asks?: Record<string, RawHandler>;
    readonly init: CompiledDefinition["init"];
    readonly onStart?: CompiledDefinition["onStart"];
    readonly onStop?: CompiledDefinition["onStop"];
    readonly onSignal?: (state: unknown, signal: unknown, ctx: ActorContext<never>) => unknown;
    readonly persistence?: PersistenceSpec<unknown>;
    readonly schemas?: Readonly<Record<string, StandardSchemaV1 | undefined>>;
  };
  const entries = new Map<string, HandlerEntry>();
  for (const [name, fn] of Object.entries(spec.tells ?? {})) {
    entries.set(name, Object.freeze({ name, kind: "tell", fn }));
  }
  for (const [name, fn] of Object.entries(spec.asks ?? {})) {
    entries.set(name, Object.freeze({ name, kind: "ask", fn }));
  }
  const onSignal = spec.onSignal;
  return Object.freeze({
    type: definition.type,
    module: definition.module,
    mailbox: definition.mailbox,
    entries,
    checked: checkedEntries(entries, spec.schemas),
    fallback: undefined,
    init: spec.init,
    onStart: spec.onStart,
    onStop: spec.onStop,
    persistence: spec.persistence,
    signalEntry: onSignal === undefined ? undefined : Object.freeze(
      {
        name: SIGNAL_MESSAGE,
        kind: "tell",
        internal: true,
        fn: (state, signal, ctx) => onSignal(state, signal, ctx),
      } satisfies HandlerEntry,
    ),
    childExit: undefined,
  });
}
