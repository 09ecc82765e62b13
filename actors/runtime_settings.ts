/**
 * The checked settings a `Runtime` starts from: what `ActorSystem.start`
 * makes of its options (`system/options.ts`), one place for all of them.
 * Not part of the public API, except {@linkcode TopLevelFailure}.
 *
 * @module
 */

import type { RandomSource } from "../base/random.ts";
import type { Clock } from "../base/clock.ts";
import type { HostId } from "./ids.ts";
import type { MailboxOptions } from "./mailbox.ts";
import type { MailboxPool } from "./mailbox_pool.ts";
import type { DeadLetterOptions } from "./observe/dead_letters.ts";
import type { SchedulerOptions } from "./scheduler.ts";
import type { DeathRecordOptions } from "./observe/death_records.ts";
import type { Logger } from "./observe/logger.ts";
import type { StateStore } from "../store/store.ts";
import type { ValidateMessages } from "./message_schemas.ts";

/** Checked settings of a runtime. */
export interface RuntimeSettings {
  /** This host's id. */
  readonly hostId: HostId;
  /** The time source. */
  readonly clock: Clock;
  /** Randomness for ids nobody may guess; default: the platform's strong randomness. */
  readonly random?: RandomSource;
  /** Default ask timeout. */
  readonly askTimeoutMs: number;
  /** Default stop timeout. */
  readonly stopTimeoutMs: number;
  /** The mailbox of actors whose spawn and definition name none; default: `DEFAULT_MAILBOX`. */
  readonly mailbox?: MailboxOptions;
  /** The spare mailboxes of this system's actors; default: a pool of its own. */
  readonly mailboxes?: MailboxPool;
  /** Dead-letter buffer and logging. */
  readonly deadLetters: DeadLetterOptions;
  /** Dispatcher tuning. */
  readonly scheduler: SchedulerOptions;
  /** Death-record bounds. */
  readonly deathRecords: DeathRecordOptions;
  /** What a failure that reaches the top does. */
  readonly topLevelFailure: TopLevelFailure;
  /** Whether unsupervised failures are logged. */
  readonly logFailures: boolean;
  /** Where the runtime's messages go. */
  readonly logger: Logger;
  /** The store of persistent actors, or `undefined` to open the file store at `stateFile`. */
  readonly store: StateStore | undefined;
  /** The file of the embedded store, used when `store` is not given. */
  readonly stateFile: string;
  /** The sequence number of this process's first actor (see {@linkcode firstSequence}). */
  readonly firstSequence: number;
  /** Which messages are checked against their schemas; `"remote"` when not given. */
  readonly validateMessages?: ValidateMessages;
  /** The most entities resident at once; default `DEFAULT_MAX_RESIDENT_ENTITIES`. */
  readonly maxResidentEntities?: number;
  /**
   * Whether handler turns are traced; when not given, whether a tracer
   * provider is registered with `@opentelemetry/api` as the runtime starts.
   */
  readonly tracing?: boolean;
  /** Whether handler turns are timed by actor type (see {@linkcode Runtime.turnTimes}). */
  readonly metrics?: boolean;
}

/**
 * What happens when a failure reaches the top (a top-level actor, or a
 * top-level supervisor that gave up):
 * - `"keep-running"`: that actor stops with a death record and a line on
 *   `console.error`; the rest of the system keeps running;
 * - `"shutdown"`: the same, then the whole system shuts down.
 */
export type TopLevelFailure = "keep-running" | "shutdown";
