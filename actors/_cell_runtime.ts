/**
 * What a cell needs of the runtime that owns it.
 *
 * @module
 */

import type { AskTracker } from "./ask.ts";
import type { Cell } from "./cell.ts";
import type { Clock } from "./clock.ts";
import type { DeadLetters } from "./dead_letters.ts";
import type { ActorDefinition } from "./definition.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { HostId } from "./ids.ts";
import type { Scheduler } from "./scheduler.ts";
import type { SpawnOptions } from "./spawn_options.ts";

/** The services a cell uses. */
export interface CellRuntime {
  /** The host's id, the prefix of every actor id. */
  readonly hostId: HostId;
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
  /** The default stop timeout, in milliseconds. */
  readonly stopTimeoutMs: number;
  /** Spawns an actor as a child of `parent` (or top-level when `undefined`). */
  spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> | undefined,
    parent: Cell | undefined,
  ): Cell;
  /** Called when a cell has stopped: forget it. */
  removed(cell: Cell): void;
  /** Called when a cell failed: decide what happens to it. */
  failed(cell: Cell, reason: ExitReason): void;
}
