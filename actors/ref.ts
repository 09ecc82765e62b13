/**
 * Actor refs: the handles through which actors are reached.
 *
 * @module
 */

import type { AskArgs, AskName, AskOptions, PayloadArgs, ReplyOf, TellName } from "./protocol.ts";
import type { ActorId } from "./ids.ts";
import type { MailboxOptions } from "./mailbox.ts";

/**
 * Where an actor is in its life:
 * - `"starting"`: `init` or `onStart` has not finished; messages wait;
 * - `"running"`: handling messages;
 * - `"suspended"`: it failed and waits for its supervisor's decision; messages wait;
 * - `"restarting"`: its supervisor is restarting it (stopping the old incarnation,
 *   or waiting out a backoff); messages wait;
 * - `"stopping"`: a stop has begun; new messages are dead letters;
 * - `"stopped"`: gone for good;
 * - `"remote"`: it lives on another host (its counters are there).
 */
export type ActorStatus =
  | "starting"
  | "running"
  | "suspended"
  | "restarting"
  | "stopping"
  | "stopped"
  | "remote";

/** A snapshot of one actor's counters. */
export interface ActorStats {
  /** The actor's id. */
  readonly id: ActorId;
  /** The actor's name, when it has one. */
  readonly name: string | undefined;
  /** The actor's type. */
  readonly type: string;
  /** Where the actor is in its life. */
  readonly status: ActorStatus;
  /** The mailbox's options (its limits when bounded) and current depth. */
  readonly mailbox: MailboxOptions & {
    /** Messages waiting, not counting the one being handled. */
    readonly depth: number;
    /** Their estimated bytes (see `MailboxOptions.maxBytes`). */
    readonly bytes: number;
  };
  /** Messages handled (successfully or not) since the actor started. */
  readonly handled: number;
  /** How many times it has been restarted. */
  readonly restarts: number;
  /** Live children. */
  readonly children: number;
}

/** The JSON form of a ref, for storing it or sending it in a message. */
export interface SerializedRef {
  /** The actor's id. */
  readonly $ref: ActorId;
  /** The actor's type. */
  readonly type: string;
  /** The actor's name, when it has one. */
  readonly name?: string;
}

/** What every ref has, whatever its protocol. */
export interface BaseRef {
  /** The actor's unique id: refs are equal when their ids are. */
  readonly id: ActorId;
  /** The actor's name, when it was spawned with one. */
  readonly name: string | undefined;
  /** The actor's type (its definition's `type`). */
  readonly type: string;
  /**
   * Compares by actor identity.
   *
   * @returns `true` when `other` is a ref to the same actor.
   */
  equals(other: unknown): boolean;
  /**
   * A snapshot of the actor's counters, including its mailbox capacity and
   * policy: at once for an actor of this host, from its host (a promise) for
   * an actor elsewhere. `await ref.stats()` works for both.
   *
   * @throws {HostUnreachableError} (rejects) When a remote actor's host is gone.
   */
  stats(): ActorStats | Promise<ActorStats>;
  /** The serializable form. */
  toJSON(): SerializedRef;
}

/**
 * A typed ref: `tell` and `ask` accept exactly the messages of protocol `P`.
 *
 * @typeParam P The target's protocol.
 */
export interface ActorRef<P> extends BaseRef {
  /**
   * Sends a message without waiting for it to be handled (at most once, FIFO
   * per sender). A message that cannot be delivered becomes a dead letter.
   *
   * For an actor on this host these refusals throw at once; for an actor on
   * another host the tell leaves at once and its host's refusal comes back
   * as one dead letter here, with the same reason (`mailbox-full`,
   * `unknown-message`, `actor-stopped`, `unknown-actor`).
   *
   * @param name A tell message of the protocol.
   * @param payload Its payload; left out for `Tell<void>`.
   * @throws {MailboxFullError} When the target is on this host, its bounded
   *   mailbox is full and its overflow policy is `"reject"`.
   * @throws {UnknownMessageError} When `name` is not in the protocol (untyped
   *   callers only; on this host).
   * @throws {MessageKindError} When `name` is an ask message (untyped callers
   *   only; on this host).
   * @throws {PayloadTooLargeError} When the target is on another host and the
   *   message cannot fit the transport's limit.
   */
  tell<K extends TellName<P>>(name: K, ...payload: PayloadArgs<P[K]>): void;
  /**
   * Sends a message and waits for the typed reply.
   *
   * @param name An ask message of the protocol.
   * @param args The payload (`undefined` or left out for `Ask<void, R>`), then options.
   * @returns The reply.
   * @throws {AskTimeoutError} When no reply came within `timeoutMs`.
   * @throws {AskAbortedError} When the signal aborted first.
   * @throws {ActorStoppedError} At once, when the target has stopped.
   * @throws {ActorFailedError} When the handler threw (`cause` is the error).
   * @throws {MailboxFullError} When the bounded mailbox refused it.
   * @throws {InvalidOptionError} When `timeoutMs` is not a number in `(0, 2^31-1]`.
   * @throws {HostUnreachableError} When the target's host is gone (at once).
   *
   * Every rejection holds for an actor on another host too; errors that
   * crossed the wire keep their `code`, so test them with `X.is(err)`.
   */
  ask<K extends AskName<P>>(name: K, ...args: AskArgs<P[K]>): Promise<ReplyOf<P[K]>>;
}

/**
 * A typed ref to an actor of this host (what a local spawn or `lookup`
 * returns): its counters are read at once, without a promise.
 *
 * @typeParam P The target's protocol.
 */
export interface LocalActorRef<P> extends ActorRef<P> {
  /** A snapshot of the actor's counters, read at once. */
  stats(): ActorStats;
  /**
   * Backpressure for a local sender: resolves once one more tell fits the
   * actor's bounded mailbox (at once when it fits now, or when the actor is
   * stopping, whose tells go to the dead letters). Like a stream writer's
   * `ready`: await it before each tell instead of catching `MailboxFullError`.
   * Waiting senders are woken one per message the actor takes, oldest
   * first; another sender that tells in between can still take the room, so
   * a tell after it can be refused as before. The tell itself stays
   * synchronous and costs nothing more. Remote senders get typed refusals
   * (`mailbox-full` dead letters) instead. See docs/limits.md.
   *
   * @returns A promise that resolves (never rejects) when there is room.
   * @example
   * ```ts ignore
   * for (const batch of batches) {
   *   await loader.whenRoom();
   *   loader.tell("load", batch);
   * }
   * ```
   */
  whenRoom(): Promise<void>;
}

/**
 * A ref without a protocol: any message name and payload are accepted by the
 * type checker and checked at run time instead (an unknown name throws
 * `UnknownMessageError`). For generic tools; programs should use typed refs.
 */
export interface UntypedRef extends BaseRef {
  /** Like {@linkcode ActorRef.tell}, checked at run time. */
  tell(name: string, payload?: unknown): void;
  /** Like {@linkcode ActorRef.ask}, checked at run time. */
  ask(name: string, payload?: unknown, options?: AskOptions): Promise<unknown>;
}

/** Formats a ref for logs: `type name (id)`. */
export function describeRef(ref: BaseRef): string {
  return ref.name === undefined ? `${ref.type} ${ref.id}` : `${ref.type} ${ref.name} (${ref.id})`;
}

/** Builds the serialized form of a ref. */
export function serializeRef(ref: BaseRef): SerializedRef {
  return ref.name === undefined
    ? { $ref: ref.id, type: ref.type }
    : { $ref: ref.id, type: ref.type, name: ref.name };
}

/** Tells whether a value looks like a serialized ref. */
export function isSerializedRef(value: unknown): value is SerializedRef {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.$ref === "string" && typeof v.type === "string" &&
    (v.name === undefined || typeof v.name === "string");
}
