/**
 * The whole type vocabulary of the library, for code that names the types
 * behind a signature: protocol helpers, handler shapes, context capabilities,
 * option, record and report types. A program rarely needs more than what
 * `mod.ts` exports; everything here is types only and loads nothing.
 *
 * @module
 */

export type * from "./mod.ts";
export type * from "./notebook.ts";
export type {
  AnyMessage,
  AskArgs,
  AskName,
  IsEmpty,
  PayloadArgs,
  PayloadOf,
  ReplyOf,
  TellName,
} from "./actors/protocol.ts";
export type { ExitReason } from "./actors/exit_reason.ts";
export type { ActorTypeMetrics, HostMetricsSnapshot } from "./system/metrics.ts";
export type { TurnHistogram } from "./actors/observe/turn_times.ts";
export type {
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
  ChildCapability,
  NamingCapability,
  SelfCapability,
  TimerCapability,
  WatchCapability,
} from "./actors/context.ts";
export type { ActorStatus, SerializedRef } from "./actors/ref.ts";
export type {
  MessageSchemas,
  StandardSchemaIssue,
  StandardSchemaProps,
  StandardSchemaResult,
  StandardSchemaV1,
  ValidateMessages,
} from "./actors/message_schemas.ts";
export type { MessageIssue } from "./actors/errors.ts";
export type { ObjectCapability } from "./actors/context.ts";
export type { ObjectRef, PutOptions, SerializedObjectRef } from "./actors/objects/object_ref.ts";
export type { ObjectLostReason } from "./actors/objects/errors.ts";
export type { BlobStore } from "./store/blobs.ts";
export type { InspectOptions } from "./actors/observe/inspection.ts";
export type {
  ActorPage,
  ActorQuery,
  ActorTypeSummary,
  InspectActorsOptions,
  UnansweredHost,
} from "./actors/observe/actor_pages.ts";
export type { Transferable } from "./base/transfer.ts";
export type { Isolation } from "./system/isolation.ts";
export type { SpawnArgs, SpawnOptionsBase } from "./actors/spawn_options.ts";
export type { OverflowPolicy } from "./actors/mailbox.ts";
export type { ChildInfo, StartChildResult } from "./actors/supervision/supervisor.ts";
export type { StrategyKind } from "./actors/supervision/supervisor_spec.ts";
export type {
  DeathFilter,
  DeathKind,
  DeathListener,
  DeathOutcome,
  DeathRecordOptions,
  DeathRecords,
} from "./actors/observe/death_records.ts";
export type {
  ActorDescription,
  DeadLetterListener,
  DeadLetterOptions,
  DeadLetterReason,
  DeadLetters,
} from "./actors/observe/dead_letters.ts";
export type { StoreEntry, StoreKind } from "./store/store.ts";
export type { HostAnnouncement, HostState } from "./cluster/view.ts";
export type {
  ActorReport,
  DeadLetterReport,
  FailureReport,
  HostReport,
  InspectedHostState,
  TreeNode,
} from "./actors/observe/inspection.ts";
export type { LogFields, LogLevel, LogRecord, LogSink } from "./actors/observe/logger.ts";
export type { TimerHandle } from "./base/clock.ts";
export type { ActorId, HostId } from "./actors/ids.ts";
export type { BackoffOptions } from "./actors/supervision/backoff.ts";
export type { Displayable, DisplayBundle } from "./actors/observe/display.ts";
export type { ErrorInfo } from "./base/errors.ts";
export type { NatsConnectOptions } from "./transport/nats_connect.ts";
export type { ObserveActorsOptions, ObserveOptions } from "./cluster/observer.ts";
export type { SpawnRateOptions } from "./cluster/spawn_rate.ts";
export type { RuntimeStatus } from "./actors/runtime.ts";
export type { TopLevelFailure } from "./actors/runtime_settings.ts";
export type { SchedulerOptions } from "./actors/scheduler.ts";
export type {
  MessageHandler,
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "./transport/transport.ts";
export type { TransportStats } from "./cluster/cluster_host.ts";
export type { Timers } from "./actors/timers.ts";
export type { RandomSource } from "./base/random.ts";
export type { EntityOptions } from "./actors/entities/entity_options.ts";
export type { EntityCounts } from "./actors/entities/entity_counts.ts";
export type { DirectChannelOptions } from "./cluster/direct_policy.ts";
export type { DirectChannelStats } from "./cluster/direct_channel.ts";
