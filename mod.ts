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

export { defineActor } from "./actors/definition.ts";
export { defineSupervisor } from "./actors/supervisor.ts";
export {
  childSpec,
  DEFAULT_BACKOFF_FACTOR,
  DEFAULT_BACKOFF_JITTER,
  DEFAULT_MAX_RESTARTS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_WITHIN_MS,
} from "./actors/supervisor_spec.ts";
export { DeathRecords } from "./actors/death_records.ts";
export {
  ActorSystem,
  DEFAULT_ASK_TIMEOUT_MS,
  DEFAULT_INSPECT_RECENT,
  DEFAULT_INSPECT_TIMEOUT_MS,
  DEFAULT_STOP_TIMEOUT_MS,
} from "./actors/system.ts";
export { systemClock } from "./actors/clock.ts";
export { MAX_NAME_LENGTH } from "./actors/ids.ts";
export { DeadLetters } from "./actors/dead_letters.ts";
export {
  ActorFailedError,
  ActorStoppedError,
  ActorSystemError,
  ActorTypeMismatchError,
  AskAbortedError,
  AskTimeoutError,
  ClusterConnectError,
  DefinitionLoadError,
  describeError,
  DuplicateChildIdError,
  DuplicateNameError,
  ExpectationTimeoutError,
  HostUnreachableError,
  InvalidHandlerResultError,
  InvalidNameError,
  InvalidOptionError,
  MailboxFullError,
  MessageKindError,
  NameTakenError,
  NatsServerMissingError,
  NoRespondersError,
  PayloadTooLargeError,
  PlacementError,
  RequestTimeoutError,
  RestartIntensityError,
  StateConflictError,
  StateDecodeError,
  StateEncodeError,
  SystemStoppedError,
  TransportClosedError,
  UnexpectedMessageError,
  UnknownActorError,
  UnknownMessageError,
} from "./actors/errors.ts";
export { MemoryStore } from "./store/memory_store.ts";
export { DEFAULT_STATE_FILE, FileStore } from "./store/file_store.ts";
export { JETSTREAM_HEADROOM_BYTES, JetStreamStore } from "./store/jetstream_store.ts";
export { encodeKeyToken, MAX_STORE_KEY_LENGTH, validateKey } from "./store/store.ts";
export {
  KeyInvalidError,
  RevisionConflictError,
  StoreUnavailableError,
  ValueTooLargeError,
} from "./store/errors.ts";
export { MemoryBus, MemoryTransport } from "./transport/memory_bus.ts";
export { NatsTransport } from "./transport/nats_transport.ts";
export { DEFAULT_SPAWN_TIMEOUT_MS } from "./cluster/options.ts";
export {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_SUSPICION_TIMEOUT_MS,
} from "./cluster/membership.ts";
export { DEFAULT_SUBJECT_PREFIX } from "./transport/subjects.ts";
export { PROTOCOL_VERSION } from "./transport/codec.ts";
export { createVirtualClock } from "./testkit/virtual_clock.ts";
export { natsServerProgram, startNatsServer } from "./testkit/nats_server.ts";
export { startHostAgent } from "./testkit/host_agent.ts";
export { TestProbe } from "./testkit/probe.ts";

export type {
  AnyMessage,
  Ask,
  AskArgs,
  AskName,
  AskOptions,
  IsEmpty,
  PayloadArgs,
  PayloadOf,
  ProtocolShape,
  ReplyOf,
  Tell,
  TellName,
} from "./actors/protocol.ts";
export type {
  ActorDefinition,
  ActorSpec,
  ActorSpecBase,
  AskHandler,
  AskHandlers,
  AskSection,
  Reply,
  TellHandler,
  TellHandlers,
  TellSection,
} from "./actors/definition.ts";
export type {
  ActorContext,
  ChildCapability,
  NamingCapability,
  SelfCapability,
  TimerCapability,
  WatchCapability,
} from "./actors/context.ts";
export type {
  ActorRef,
  ActorStats,
  ActorStatus,
  BaseRef,
  SerializedRef,
  UntypedRef,
} from "./actors/ref.ts";
export type { SpawnArgs, SpawnOptions, SpawnOptionsBase } from "./actors/spawn_options.ts";
export type { MailboxOptions, OverflowPolicy } from "./actors/mailbox.ts";
export type { ActorSystemOptions, StopOptions } from "./actors/system.ts";
export type { RuntimeStatus, TopLevelFailure } from "./actors/runtime.ts";
export type {
  ChildInfo,
  StartChildResult,
  SupervisorProtocol,
  SupervisorSpec,
} from "./actors/supervisor.ts";
export type {
  ChildOptions,
  ChildSpec,
  ResolvedStrategy,
  RestartType,
  StrategyKind,
  SupervisorStrategy,
} from "./actors/supervisor_spec.ts";
export type { BackoffOptions } from "./actors/backoff.ts";
export type { Signal } from "./actors/signals.ts";
export type { PersistenceSpec } from "./actors/persistence.ts";
export type {
  DeathFilter,
  DeathKind,
  DeathListener,
  DeathOutcome,
  DeathRecord,
  DeathRecordOptions,
} from "./actors/death_records.ts";
export type { Clock, TimerHandle } from "./actors/clock.ts";
export type { Timers } from "./actors/timers.ts";
export type { ActorId, HostId } from "./actors/ids.ts";
export type { ExitReason } from "./actors/exit_reason.ts";
export type {
  ActorDescription,
  DeadLetter,
  DeadLetterListener,
  DeadLetterOptions,
  DeadLetterReason,
} from "./actors/dead_letters.ts";
export type { ErrorInfo } from "./actors/errors.ts";
export type { SchedulerOptions } from "./actors/scheduler.ts";
export type { StateStore, StoreEntry, StoreKind } from "./store/store.ts";
export type { MemoryStoreOptions } from "./store/memory_store.ts";
export type { FileStoreOptions } from "./store/file_store.ts";
export type { JetStreamStoreOptions } from "./store/jetstream_store.ts";
export type { NatsConnectOptions } from "./transport/nats_connect.ts";
export type { ClusterOptions } from "./cluster/options.ts";
export type { HostAnnouncement, HostInfo, HostState, Labels } from "./cluster/view.ts";
export type { HostRefusal, Placement } from "./cluster/placement.ts";
export type { LostDeclaration } from "./cluster/membership.ts";
export type { TransportStats } from "./cluster/cluster_host.ts";
export { ClusterObserver } from "./cluster/observer.ts";
export { JUPYTER_DISPLAY, showDeaths } from "./actors/display.ts";
export { Logger } from "./actors/logger.ts";
export type { LogFields, LogLevel, LogOptions, LogRecord, LogSink } from "./actors/logger.ts";
export type { Displayable, DisplayBundle } from "./actors/display.ts";
export type { ObserveOptions, ObserverOptions } from "./cluster/observer.ts";
export type {
  ActorReport,
  DeadLetterReport,
  FailureReport,
  HostReport,
  HostSnapshot,
  InspectedHostState,
  Inspection,
  InspectOptions,
  TreeNode,
} from "./actors/inspection.ts";
export type {
  MessageHandler,
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "./transport/transport.ts";
export type { VirtualClock } from "./testkit/virtual_clock.ts";
export type { NatsServer, NatsServerOptions } from "./testkit/nats_server.ts";
export type { HostAgent, HostAgentOptions } from "./testkit/host_agent.ts";
export type { MemoryBusOptions } from "./transport/memory_bus.ts";
export type { ExpectOptions, ProbeMessage, ProbeOptions } from "./testkit/probe.ts";
