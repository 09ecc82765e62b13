/**
 * The one door through which the cluster reaches the local runtime. The
 * cluster imports nothing else of `actors/`: no underscore files, no cells.
 * Not part of the public API.
 *
 * @module
 */

export { LocalHost } from "./local_host.ts";
export { LocalRef } from "./local_ref.ts";
export { TellOrigin } from "./ask.ts";
export { refusalReason } from "./_refusal_reason.ts";
export { UnknownRef } from "./unknown_ref.ts";
export { isSerializedObjectRef, ObjectHandle } from "./objects/object_ref.ts";
export { PersistKeyHeldError } from "./persistence/errors.ts";
export type { KeyHolder } from "./persistence/key_holder.ts";
export { describeRef, serializeRef } from "./ref.ts";
export { parseActorId } from "./ids.ts";
export { parseEntityAddress, parseEntityId } from "./entities/address.ts";
export { EntityRef } from "./entities/entity_ref.ts";
export { SOLO_CLAIMS } from "./entities/claims.ts";
export { shardName, shardOf, SHARDS_PER_TYPE } from "./entities/shards.ts";
export type { ClaimResult, EntityClaims } from "./entities/claims.ts";
export type { EntityCounts } from "./entities/entity_counts.ts";
export { SHUTDOWN, STOPPED } from "./exit_reason.ts";
export {
  codeVersionOf,
  definitionOf,
  definitionOfVersion,
  hasDefinitionsFrom,
} from "./_registry.ts";
export { changedSinceLoaded, diskCodeVersion, wasLoaded } from "./code_version.ts";
export { exitReasonInfo } from "./supervision/_supervisor_core.ts";
export { mergeSnapshots, mergeSnapshotsInSlices } from "./observe/inspection.ts";
export { pageAcrossHosts } from "./observe/page_hosts.ts";
export { hostQueryFromWire, hostQueryToWire } from "./observe/actor_pages.ts";
export type {
  ActorPage,
  ActorQuery,
  HostActorPage,
  HostActorQuery,
} from "./observe/actor_pages.ts";
export { escapeHtml, JUPYTER_DISPLAY } from "./observe/display.ts";
export { DEAD_LETTER_REASONS } from "./observe/dead_letters.ts";
export { ActorStartError, HostUnreachableError, PlacementError } from "./errors.ts";
export { startedRef, whenStarted } from "./when_started.ts";

export type { Refusal } from "./local_host.ts";
export type { Runtime } from "./runtime.ts";
export type { ChildSpawn, ChildSpawnOutcome, RemoteChild, RemotePort } from "./remote_port.ts";
export type { ActorDefinition } from "./definition.ts";
export type { ActorId } from "./ids.ts";
export type { SerializedObjectRef } from "./objects/object_ref.ts";
export type { FanTicket, ObjectFanout } from "./objects/fanout_port.ts";
export { UNICAST } from "./objects/fanout_port.ts";
export type { ActorStats, BaseRef, SerializedRef } from "./ref.ts";
export type { AskOptions } from "./protocol.ts";
export type { ExitReason } from "./exit_reason.ts";
export type { PendingAsk, ReplyTarget } from "./ask.ts";
export type { SpawnOptions } from "./spawn_options.ts";
export type { HostRefusal, Labels, Placement } from "./placement.ts";
export type { HostReport, HostSnapshot, Inspection } from "./observe/inspection.ts";
export type { HostContext } from "./observe/_snapshot.ts";
export type { DeadLetterReason } from "./observe/dead_letters.ts";
export type { DeathRecord } from "./observe/death_records.ts";
export type { DisplayBundle } from "./observe/display.ts";
