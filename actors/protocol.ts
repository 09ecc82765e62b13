/**
 * Type-level description of what an actor accepts.
 *
 * A protocol is a plain object type that maps each message name to either
 * {@linkcode Tell} (fire and forget) or {@linkcode Ask} (a typed reply). Nothing
 * here exists at run time: the helpers turn a protocol into the parameter types
 * of `tell`, `ask` and the handler tables, so that a wrong name, payload or reply
 * type is a compile error.
 *
 * @module
 */

/**
 * Marks a message that is sent with `tell` and has no reply.
 *
 * @typeParam Payload The payload type; `void` for a message without payload.
 *
 * @example
 * ```ts
 * import type { Ask, Tell } from "./protocol.ts";
 * type CounterProtocol = {
 *   add: Tell<number>;
 *   reset: Tell;
 *   get: Ask<void, number>;
 * };
 * ```
 */
export interface Tell<Payload = void> {
  /** Phantom field: only used by the type checker. */
  readonly "~kind": "tell";
  /** Phantom field: only used by the type checker. */
  readonly "~payload": Payload;
}

/**
 * Marks a message that is sent with `ask` and answered with a reply.
 *
 * @typeParam Payload The payload type; `void` for a message without payload.
 * @typeParam Reply The type of the reply the asker receives.
 */
export interface Ask<Payload = void, Reply = void> {
  /** Phantom field: only used by the type checker. */
  readonly "~kind": "ask";
  /** Phantom field: only used by the type checker. */
  readonly "~payload": Payload;
  /** Phantom field: only used by the type checker. */
  readonly "~reply": Reply;
}

/** Any message marker. */
// deno-lint-ignore no-explicit-any
export type AnyMessage = Tell<any> | Ask<any, any>;

/**
 * The constraint every protocol satisfies: each key maps to a message marker.
 * Written as a self-referential mapped type so that both `type` aliases and
 * `interface` declarations qualify.
 */
export type ProtocolShape<P> = { readonly [K in keyof P]: AnyMessage };

/** Names of the messages in `P` that are sent with `tell`. */
export type TellName<P> =
  & {
    [K in keyof P]: P[K] extends Tell<infer _> ? K : never;
  }[keyof P]
  & string;

/** Names of the messages in `P` that are sent with `ask`. */
export type AskName<P> =
  & {
    [K in keyof P]: P[K] extends Ask<infer _, infer _R> ? K : never;
  }[keyof P]
  & string;

/** The payload type of a message marker. */
export type PayloadOf<M> = M extends { readonly "~payload": infer T } ? T : never;

/** The reply type of an ask marker. */
export type ReplyOf<M> = M extends Ask<infer _, infer R> ? R : never;

/** `true` when a payload type is `void` or `undefined`, so the payload may be left out. */
export type IsEmpty<T> = [T] extends [void] ? true : false;

/** The payload arguments of `tell`: none for a `void` payload, else exactly one. */
export type PayloadArgs<M> = IsEmpty<PayloadOf<M>> extends true ? [payload?: undefined]
  : [payload: PayloadOf<M>];

/**
 * Options of one `ask`.
 */
export interface AskOptions {
  /**
   * How long to wait for the reply before rejecting with `AskTimeoutError`.
   * Must be a number in `(0, 2^31-1]` (what a platform timer honours; about 24.8 days).
   * @default {5000} (the system's `askTimeoutMs`)
   */
  readonly timeoutMs?: number;
  /** Rejects the ask with `AskAbortedError` when this signal aborts. */
  readonly signal?: AbortSignal;
}

/** The arguments of `ask` after the message name: the payload, then options. */
export type AskArgs<M> = IsEmpty<PayloadOf<M>> extends true
  ? [payload?: undefined, options?: AskOptions]
  : [payload: PayloadOf<M>, options?: AskOptions];
