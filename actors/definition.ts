/**
 * Actor definitions: a typed protocol plus a behaviour (initial state and one
 * handler per message). The runtime owns the mailbox loop; a definition is
 * plain data and functions.
 *
 * @module
 */

import type { ActorContext } from "./context.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { AskName, PayloadOf, ProtocolShape, ReplyOf, TellName } from "./protocol.ts";
import { type MailboxOptions, resolveMailbox } from "./mailbox.ts";
import { validateName } from "./ids.ts";
import { InvalidOptionError } from "../base/errors.ts";
import type { Signal } from "./signals.ts";
import type { PersistenceSpec } from "./persistence/persistence.ts";
import { registerDefinition } from "./_registry.ts";
import { checkSchemasOption, type MessageSchemas } from "./message_schemas.ts";
import { type EntityOptions, resolveEntityOptions } from "./entities/entity_options.ts";

/**
 * What an ask handler returns: the next state and either the reply for the
 * asker, or an error to reject the ask with. Replying with an error is not a
 * failure: the actor keeps running (use it for refused requests); throwing is.
 */
export type Reply<S, R> =
  | {
    /** The actor's next state. */
    readonly state: S;
    /** The value the asker receives. */
    readonly reply: R;
  }
  | {
    /** The actor's next state. */
    readonly state: S;
    /** The error the ask rejects with. */
    readonly error: Error;
  };

/** Handles one tell message: returns the next state (or a promise of it). */
export type TellHandler<P, S, T> = (
  state: S,
  payload: T,
  ctx: ActorContext<P>,
) => S | Promise<S>;

/** Handles one ask message: returns the next state and the reply. */
export type AskHandler<P, S, T, R> = (
  state: S,
  payload: T,
  ctx: ActorContext<P>,
) => Reply<S, R> | Promise<Reply<S, R>>;

/** One handler for every tell message of `P`; none may be missing, none extra. */
export type TellHandlers<P, S> = {
  readonly [K in TellName<P>]: TellHandler<P, S, PayloadOf<P[K]>>;
};

/** One handler for every ask message of `P`; none may be missing, none extra. */
export type AskHandlers<P, S> = {
  readonly [K in AskName<P>]: AskHandler<P, S, PayloadOf<P[K]>, ReplyOf<P[K]>>;
};

/** The `tells` table: required when the protocol has tell messages, else optional and empty. */
export type TellSection<P, S> = [TellName<P>] extends [never]
  ? { readonly tells?: Record<never, never> }
  : {
    /** The handlers of the tell messages. */
    readonly tells: TellHandlers<P, S>;
  };

/** The `asks` table: required when the protocol has ask messages, else optional and empty. */
export type AskSection<P, S> = [AskName<P>] extends [never]
  ? { readonly asks?: Record<never, never> }
  : {
    /** The handlers of the ask messages. */
    readonly asks: AskHandlers<P, S>;
  };

/** The parts of an actor specification that do not depend on the message sections. */
export interface ActorSpecBase<P, S, A> {
  /**
   * The actor type's name: shown in stats, records and dead letters. Letters,
   * digits, `_`, `-` and `:`.
   */
  readonly type: string;
  /**
   * The URL of the module that defines this actor (pass `import.meta.url`), so
   * that a host agent can import the definition on demand.
   */
  readonly module?: string;
  /**
   * Makes the initial state from the spawn arguments. Runs before the first
   * message; messages sent meanwhile wait in the mailbox.
   */
  readonly init: (args: A, ctx: ActorContext<P>) => S | Promise<S>;
  /** Runs once after `init`, before the first message: start timers or children here. */
  readonly onStart?: (state: S, ctx: ActorContext<P>) => void | Promise<void>;
  /**
   * Runs when the actor stops or crashes (after its children have stopped),
   * with its last state and why it ends. After a crash it runs at once, before
   * the supervisor acts, and may take as long as it needs; when a stop or a
   * restart is ordered (by a supervisor, `system.stop`, a shutdown) it is cut
   * off at that stop's deadline.
   */
  readonly onStop?: (state: S, ctx: ActorContext<P>, reason: ExitReason) => void | Promise<void>;
  /**
   * Receives lifecycle signals, such as `"terminated"` for actors this one
   * watches (`ctx.watch(ref)`), here or on another host, before any queued user
   * message. Returns the next state.
   * Needed for `ctx.watch`.
   */
  readonly onSignal?: (state: S, signal: Signal, ctx: ActorContext<P>) => S | Promise<S>;
  /**
   * Makes the actor persistent: its state is loaded from the system's store
   * before the first message (`init` runs only when nothing is stored) and
   * saved after every turn that returned a new state object, before an ask's
   * reply is released. Spawn it with a `name` (or `persistKey`).
   */
  readonly persistence?: PersistenceSpec<S>;
  /**
   * The default mailbox of actors of this type; a spawn option overrides it.
   * @default {the system's `mailbox`}
   */
  readonly mailbox?: MailboxOptions;
  /**
   * Optional runtime schemas by message name (any Standard Schema: zod,
   * valibot, arktype, or your own). A payload that fails its schema never
   * reaches the handler: an ask rejects with `MessageValidationError`, a
   * tell is a dead letter `"invalid-payload"`. The handler receives the
   * schema's output. Checked on every message from another host, and on
   * local ones when the system's `validateMessages` is `"always"`.
   * @default {undefined}
   */
  readonly schemas?: MessageSchemas<P>;
  /**
   * Makes the type an entity type (a virtual actor): `system.entity(Def, key)`
   * gives a ref to the entity with that key, activated on first message on
   * the host its key hashes to, passivated when idle (`idleMs`), and at most
   * once across the cluster. `init` receives the key. Give it `persistence`
   * to keep its state across activations. See docs/cluster.md, "Entities".
   * @default {undefined}
   */
  readonly entity?: EntityOptions;
}

/**
 * Everything `defineActor` needs: the base fields plus `tells` and `asks`
 * tables. A table may be left out only when the protocol has no message of
 * its kind.
 */
export type ActorSpec<P, S, A> = ActorSpecBase<P, S, A> & TellSection<P, S> & AskSection<P, S>;

/**
 * A checked, frozen actor definition, ready to spawn.
 *
 * @typeParam P The protocol.
 * @typeParam S The state type.
 * @typeParam A The spawn arguments passed to `init` (`void` for none).
 */
export interface ActorDefinition<P, S, A = void> {
  /** The actor type's name. */
  readonly type: string;
  /** The defining module's URL, when given. */
  readonly module: string | undefined;
  /** The default mailbox of this type, or `undefined` for the system's. */
  readonly mailbox: MailboxOptions | undefined;
  /** The specification this definition was made from. */
  readonly spec: ActorSpec<P, S, A>;
  /** Phantom field: carries the protocol type for inference; always `undefined`. */
  readonly "~protocol"?: P;
}

/**
 * Defines an actor type from a protocol and a behaviour.
 *
 * The protocol is a type argument; every message in it needs a handler of the
 * right shape, so a missing handler, an extra one, or a wrong payload or reply
 * type is a compile error.
 *
 * @typeParam P The protocol: message names mapped to `Tell<Payload>` or `Ask<Payload, Reply>`.
 * @typeParam S The state type.
 * @typeParam A The spawn arguments passed to `init` (`void` for none).
 * @param spec The type name, `init`, hooks and handlers.
 * @returns A frozen definition to pass to `spawn`.
 * @throws {InvalidNameError} When `type` breaks the naming rules.
 * @throws {InvalidOptionError} When a handler is not a function, `mailbox` is
 *   invalid, or `schemas` names a message without a handler or holds
 *   something that is not a Standard Schema.
 *
 * @example
 * ```ts
 * import { type Ask, defineActor, type Tell } from "../mod.ts";
 *
 * type CounterProtocol = { add: Tell<number>; get: Ask<void, number> };
 *
 * export const Counter = defineActor<CounterProtocol, number>({
 *   type: "counter",
 *   init: () => 0,
 *   tells: { add: (count, n) => count + n },
 *   asks: { get: (count) => ({ state: count, reply: count }) },
 * });
 * ```
 */
export function defineActor<P extends ProtocolShape<P>, S, A = void>(
  spec: ActorSpec<P, S, A>,
): ActorDefinition<P, S, A> {
  validateName(spec.type, "type");
  if (typeof spec.init !== "function") {
    throw new InvalidOptionError("init", spec.init, "a function returning the initial state");
  }
  for (const hook of ["onStart", "onStop", "onSignal"] as const) {
    if (spec[hook] !== undefined && typeof spec[hook] !== "function") {
      throw new InvalidOptionError(hook, spec[hook], "a function or undefined");
    }
  }
  validatePersistence(spec.persistence);
  if (spec.entity !== undefined) resolveEntityOptions(spec.entity);
  const seen = new Set<string>();
  for (const section of ["tells", "asks"] as const) {
    const table = (spec as unknown as { readonly [k: string]: unknown })[section];
    if (table === undefined) continue;
    if (table === null || typeof table !== "object") {
      throw new InvalidOptionError(section, table, "an object of handler functions");
    }
    for (const [name, fn] of Object.entries(table)) {
      if (typeof fn !== "function") {
        throw new InvalidOptionError(`${section}.${name}`, fn, "a handler function");
      }
      if (seen.has(name)) {
        throw new InvalidOptionError(
          `${section}.${name}`,
          name,
          "a message may be a tell or an ask, not both",
        );
      }
      seen.add(name);
    }
  }
  checkSchemasOption(spec.schemas, seen);
  const definition = Object.freeze({
    type: spec.type,
    module: spec.module,
    mailbox: spec.mailbox === undefined ? undefined : resolveMailbox(spec.mailbox),
    spec,
  });
  registerDefinition(definition as unknown as ActorDefinition<unknown, unknown, unknown>);
  return definition;
}

function validatePersistence(persistence: unknown): void {
  if (persistence === undefined) return;
  if (persistence === null || typeof persistence !== "object") {
    throw new InvalidOptionError(
      "persistence",
      persistence,
      "an object { version, migrate?, encode?, decode? }",
    );
  }
  const { version, migrate, encode, decode } = persistence as Record<string, unknown>;
  if (
    !Number.isSafeInteger(version) || (version as number) < 1 || (version as number) > 0xffffffff
  ) {
    throw new InvalidOptionError("persistence.version", version, "a positive integer");
  }
  for (
    const [name, hook] of [["migrate", migrate], ["encode", encode], ["decode", decode]] as const
  ) {
    if (hook !== undefined && typeof hook !== "function") {
      throw new InvalidOptionError(`persistence.${name}`, hook, "a function or undefined");
    }
  }
  if ((encode === undefined) !== (decode === undefined)) {
    throw new InvalidOptionError(
      "persistence",
      "encode/decode",
      "both encode and decode, or neither",
    );
  }
}
