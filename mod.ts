/**
 * Typed actors for Deno: define an actor with a typed protocol, spawn it in
 * an {@linkcode ActorSystem}, and talk to it with `tell` and `ask`.
 *
 * @example
 * ```ts
 * import { type Ask, ActorSystem, defineActor, type Tell } from "./mod.ts";
 *
 * type CounterProtocol = { add: Tell<number>; get: Ask<void, number> };
 *
 * const Counter = defineActor<CounterProtocol, number>({
 *   type: "counter",
 *   init: () => 0,
 *   tells: { add: (count, n) => count + n },
 *   asks: { get: (count) => ({ state: count, reply: count }) },
 * });
 *
 * const system = await ActorSystem.start();
 * const counter = system.spawn(Counter, { name: "counter" });
 * counter.tell("add", 2);
 * console.log(await counter.ask("get")); // 2
 * await system.shutdown();
 * ```
 *
 * @module
 */

export { ActorSystem } from "./system.ts";
export { defineActor } from "./actors/definition.ts";
export { defineSupervisor } from "./actors/supervision/supervisor.ts";
export { childSpec } from "./actors/supervision/supervisor_spec.ts";
export { MemoryStore } from "./store/memory_store.ts";
export { FileStore } from "./store/file_store.ts";
export { JetStreamStore } from "./store/jetstream_store.ts";
export { ClusterObserver } from "./cluster/observer.ts";
export { transfer } from "./base/transfer.ts";
export { JUPYTER_DISPLAY, showDeaths } from "./actors/observe/display.ts";
export {
  ActorSystemError,
  describeError,
  InvalidNameError,
  InvalidOptionError,
  RequestTimeoutError,
} from "./base/errors.ts";
export {
  ActorFailedError,
  ActorStartError,
  ActorStoppedError,
  ActorTypeMismatchError,
  AskAbortedError,
  AskTimeoutError,
  DuplicateNameError,
  HostUnreachableError,
  InvalidHandlerResultError,
  MailboxFullError,
  MessageKindError,
  MessageValidationError,
  PlacementError,
  SystemStoppedError,
  UnknownActorError,
  UnknownMessageError,
} from "./actors/errors.ts";
export { ObjectLostError } from "./actors/objects/errors.ts";
export {
  ChildStartError,
  DuplicateChildIdError,
  RestartIntensityError,
} from "./actors/supervision/errors.ts";
export {
  StateConflictError,
  StateDecodeError,
  StateEncodeError,
} from "./actors/persistence/errors.ts";
export {
  NoRespondersError,
  PayloadTooLargeError,
  TransportClosedError,
} from "./transport/errors.ts";
export { ClusterConnectError, DefinitionLoadError, NameTakenError } from "./cluster/errors.ts";
export {
  KeyInvalidError,
  RevisionConflictError,
  StoreUnavailableError,
  ValueTooLargeError,
} from "./store/errors.ts";

export type { Ask, AskOptions, ProtocolShape, Tell } from "./actors/protocol.ts";
export type { ActorDefinition } from "./actors/definition.ts";
export type { ActorContext } from "./actors/context.ts";
export type { ActorRef, ActorStats, BaseRef, LocalActorRef } from "./actors/ref.ts";
export type { SpawnOptions } from "./actors/spawn_options.ts";
export type { MailboxOptions } from "./actors/mailbox.ts";
export type { ActorSystemOptions, StopOptions } from "./system/options.ts";
export type { SupervisorProtocol, SupervisorSpec } from "./actors/supervision/supervisor.ts";
export type {
  ChildOptions,
  ChildSpec,
  RestartType,
  SupervisorStrategy,
} from "./actors/supervision/supervisor_spec.ts";
export type { Signal } from "./actors/signals.ts";
export type { PersistenceSpec } from "./actors/persistence/persistence.ts";
export type { DeathRecord } from "./actors/observe/death_records.ts";
export type { DeadLetter } from "./actors/observe/dead_letters.ts";
export type { StateStore } from "./store/store.ts";
export type { ClusterOptions } from "./cluster/options.ts";
export type { Labels, Placement } from "./actors/placement.ts";
export type { HostInfo } from "./cluster/view.ts";
export type { Inspection } from "./actors/observe/inspection.ts";
export type { LogOptions } from "./actors/observe/logger.ts";
export type { Clock } from "./base/clock.ts";
