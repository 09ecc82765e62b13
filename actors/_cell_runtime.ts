/**
 * What a cell needs of the runtime that owns it.
 *
 * @module
 */

import type { AskTracker } from "./ask.ts";
import type { Cell } from "./cell.ts";
import type { DeathRecord } from "./observe/death_records.ts";
import type { StateStore } from "../store/store.ts";
import type { BaseRef } from "./ref.ts";
import type { RemotePort } from "./remote_port.ts";
import type { Clock } from "../base/clock.ts";
import type { DeadLetters } from "./observe/dead_letters.ts";
import type { ActorDefinition } from "./definition.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { HostId } from "./ids.ts";
import type { MailboxPool } from "./mailbox_pool.ts";
import type { Scheduler } from "./scheduler.ts";
import type { SpawnOptions } from "./spawn_options.ts";
import type { ObjectTable } from "./objects/object_table.ts";
import type { TurnTracer } from "./observe/tracing.ts";

/** The services a cell uses. */
export interface CellRuntime {
  /** The host's id, the prefix of every actor id. */
  readonly hostId: HostId;
  /** The system's spare mailboxes: a cell takes one when a message comes, and gives it back drained. */
  readonly mailboxes: MailboxPool;
  /** The time source. */
  readonly clock: Clock;
  /** The dispatcher. */
  readonly scheduler: Scheduler;
  /** The dead-letter stream. */
  readonly deadLetters: DeadLetters;
  /** Pending asks and their deadlines. */
  readonly asks: AskTracker;
  /** The default ask timeout, in milliseconds. */
  readonly askTimeoutMs: number;
  /** The host's objects (`ctx.put`). */
  readonly objects: ObjectTable;
  /** The default stop timeout, in milliseconds. */
  readonly stopTimeoutMs: number;
  /** Whether messages sent on this host are checked against their schemas (`"always"`). */
  readonly validateLocal: boolean;
  /** Traces handler turns, or `undefined` when tracing is off (see `observe/tracing.ts`). */
  readonly tracer: TurnTracer | undefined;
  /** Spawns an actor as a child of `parent` (or top-level when `undefined`). */
  spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> | undefined,
    parent: Cell | undefined,
    shutdownTimeoutMs?: number,
    requester?: string,
  ): Cell;
  /** Called when a cell has stopped for good: forget it. */
  removed(cell: Cell): void;
  /**
   * Called when a cell failed: its supervisor (or the default policy)
   * decides. `received`: an asker got the failure, so it is not logged.
   */
  failed(cell: Cell, reason: ExitReason, received?: boolean): void;
  /** Whether a failure of the cell would now be logged as one that nothing supervises. */
  logsFailure(cell: Cell): boolean;
  /** Called when a cell stopped for good on its own account: its supervisor may restart it. */
  childStopped(cell: Cell, reason: ExitReason): void;
  /** Stores a death record. */
  recordDeath(record: DeathRecord): void;
  /** The state store of persistent actors (opened on first use). */
  store(): Promise<StateStore>;
  /** The name directory, once the system has one. */
  readonly directory: { register(name: string, ref: BaseRef): Promise<void> } | undefined;
  /** Other hosts, for supervisors with children there (a solo port without a cluster). */
  readonly remote: RemotePort;
}
