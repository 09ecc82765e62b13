/**
 * What a handler may do besides computing the next state, as small
 * capabilities composed into one context.
 *
 * @module
 */

import type { BaseRef, LocalActorRef } from "./ref.ts";
import type { ActorDefinition } from "./definition.ts";
import type { ProtocolShape } from "./protocol.ts";
import type { SpawnArgs } from "./spawn_options.ts";
import type { Timers } from "./timers.ts";
import type { ObjectRef, PutOptions } from "./objects/object_ref.ts";

/** Access to the actor's own ref. */
export interface SelfCapability<P> {
  /** This actor's ref: pass it in messages so others can reach it. */
  readonly self: LocalActorRef<P>;
}

/** Messages to self after a delay or periodically. */
export interface TimerCapability<P> {
  /** This actor's timers; all are cancelled when it stops. */
  readonly timers: Timers<P>;
}

/** Creating and stopping children, and stopping self. */
export interface ChildCapability {
  /**
   * Spawns a child of this actor. Children stop before their parent.
   *
   * @returns The child's ref.
   * @throws {DuplicateNameError} When the name is taken.
   * @throws {InvalidNameError} When the name breaks the naming rules.
   */
  spawn<Q extends ProtocolShape<Q>, S, A>(
    definition: ActorDefinition<Q, S, A>,
    ...options: SpawnArgs<A>
  ): LocalActorRef<Q>;
  /**
   * Stops a child (and its children). Resolves once it has stopped.
   * To stop this actor itself use {@linkcode ChildCapability.stopSelf}.
   */
  stop(child: BaseRef): Promise<void>;
  /**
   * Stops this actor after the current message. Messages still queued go to
   * the dead letters.
   */
  stopSelf(): void;
}

/** Death watch: hear when another actor stops for good. */
export interface WatchCapability {
  /**
   * Watches an actor: when it stops for good, this actor's `onSignal` receives
   * `{ kind: "terminated", ref, record }`. Watching an actor that has already
   * stopped delivers the signal at once. Restarts are not stops.
   *
   * @throws {InvalidOptionError} When this actor's definition has no `onSignal`.
   */
  watch(ref: BaseRef): void;
  /** Stops watching; a signal already queued is still delivered. */
  unwatch(ref: BaseRef): void;
}

/** Cluster-wide names for this actor. */
export interface NamingCapability {
  /**
   * Registers this actor under a cluster-wide name (see `system.register`).
   *
   * @throws {NameTakenError} When another actor holds the name.
   */
  register(name: string): Promise<void>;
}

/** Values that other actors, on any host, read by reference. */
export interface ObjectCapability {
  /**
   * Puts a value on this host and returns a small ref to it that can travel
   * inside any message; `await obj.get()` returns the value anywhere (see
   * `system.put`). The object is owned by this actor: it ends when this
   * actor stops for good (restarts do not end it), when released, or when
   * its lease runs out.
   *
   * @param value The value; plain objects and arrays in it are frozen, and
   *   typed arrays must not be written to afterwards.
   * @param options `leaseMs`: the longest it lives.
   * @returns Its ref.
   * @throws {InvalidOptionError} (rejects) When `leaseMs` is not a positive number.
   */
  put<T>(value: T, options?: PutOptions): Promise<ObjectRef<T>>;
}

/**
 * The context passed to `init`, hooks and handlers.
 *
 * @typeParam P The actor's own protocol.
 */
export interface ActorContext<P>
  extends
    SelfCapability<P>,
    TimerCapability<P>,
    ChildCapability,
    WatchCapability,
    NamingCapability,
    ObjectCapability {}
