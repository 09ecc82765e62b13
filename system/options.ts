/**
 * The options of an `ActorSystem`, their defaults in one place, and their
 * checks: what `ActorSystem.start` turns into the runtime's settings.
 *
 * @module
 */

import { DEFAULT_MAX_RESIDENT_ENTITIES } from "../actors/entities/entity_options.ts";
import type { DeadLetterOptions } from "../actors/observe/dead_letters.ts";
import type { SchedulerOptions } from "../actors/scheduler.ts";
import type { DeathRecordOptions } from "../actors/observe/death_records.ts";
import type { StateStore } from "../store/store.ts";
import type { ClusterOptions } from "../cluster/options.ts";
import type { RuntimeSettings, TopLevelFailure } from "../actors/runtime_settings.ts";
import { type Clock, systemClock } from "../base/clock.ts";
import type { RandomSource } from "../base/random.ts";
import { firstSequence, type HostId, newHostId, validateName } from "../actors/ids.ts";
import { Logger, type LogOptions } from "../actors/observe/logger.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { type MailboxOptions, resolveMailbox } from "../actors/mailbox.ts";
import { checkTimeoutMs } from "../base/timeouts.ts";
import { readAuthFile } from "../transport/auth_file.ts";
import { type ValidateMessages, validateMessagesOption } from "../actors/message_schemas.ts";

/** Where the embedded store keeps its file, relative to the working directory. */
export const DEFAULT_STATE_FILE = ".actorcluster/state.db";
/** Default ask timeout, in milliseconds. */
export const DEFAULT_ASK_TIMEOUT_MS = 5_000;
/** Default time a stop or shutdown waits for turns and stop hooks, in milliseconds. */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
/** How long `inspect()` waits for each host, in milliseconds. */
export const DEFAULT_INSPECT_TIMEOUT_MS = 2_000;
/** How many recent dead letters and death records `inspect()` reports per host. */
export const DEFAULT_INSPECT_RECENT = 50;

/** How many actors each host lists in an inspection that names no `actorsPerHost`. */
export const DEFAULT_ACTORS_PER_HOST = 1_000;

/** Options of `ActorSystem.start`. */
export interface ActorSystemOptions {
  /**
   * This host's id (letters, digits, `_`, `-`, `:`).
   * @default {the id of `cluster.connect.authFile`, else a random id like "h3k9x0c2m1qz"}
   */
  readonly hostId?: string;
  /**
   * The clock for timers, ask timeouts and stop deadlines; pass a virtual
   * clock in tests.
   * @default {the real clock}
   */
  readonly clock?: Clock;
  /**
   * Randomness for ids nobody may guess (ask correlation ids); pass a seeded
   * one in deterministic simulations.
   * @default {the platform's strong randomness}
   */
  readonly random?: RandomSource;
  /**
   * How long an `ask` without its own `timeoutMs` waits, in milliseconds.
   * @default {5000}
   */
  readonly askTimeoutMs?: number;
  /**
   * How long `stop` and `shutdown` wait for a running turn and `onStop`
   * before cutting them off, in milliseconds.
   * @default {5000}
   */
  readonly stopTimeoutMs?: number;
  /**
   * The mailbox of every actor whose spawn and definition name none: bounded
   * by count and by bytes, refusing what does not fit with
   * `MailboxFullError` (a `mailbox-full` dead letter). See docs/limits.md.
   * @default {{ kind: "bounded", capacity: 1048576, maxBytes: 268435456, overflow: "reject" }}
   */
  readonly mailbox?: MailboxOptions;
  /** Dead-letter buffer size and console logging. */
  readonly deadLetters?: DeadLetterOptions;
  /** Dispatcher tuning (fairness and time slicing). */
  readonly scheduler?: SchedulerOptions;
  /** How many death records are kept. */
  readonly deathRecords?: DeathRecordOptions;
  /**
   * What a failure that reaches the top does: `"keep-running"` stops that
   * actor (with a record and a line on `console.error`) and keeps the rest;
   * `"shutdown"` then shuts the whole system down.
   * @default {"keep-running"}
   */
  readonly topLevelFailure?: TopLevelFailure;
  /**
   * Whether a failure that nothing supervises is also written to `console.error`.
   * @default {true}
   */
  readonly logFailures?: boolean;
  /**
   * Whether the system shuts down by itself when the program has nothing
   * left to do but the system's own background work (actor timers, its
   * cluster connection): actors stop in order, persistent state is written,
   * the host leaves its cluster, and the process exits, as if the program
   * had ended with `await system.shutdown()`. Work the program awaits (an
   * ask, a spawn) is never cut off. A program that should serve until it is
   * stopped keeps itself alive: {@linkcode ActorSystem.shutdownOnSignals}
   * does, as does the host agent; a notebook kernel always does.
   * @default {true}
   */
  readonly shutdownWhenDone?: boolean;
  /**
   * Logging: level, text or JSON lines, or a sink of your own. Quiet by
   * default (warnings and errors only); `ACTORS_LOG=debug` and
   * `ACTORS_LOG_FORMAT=json` in the environment change that without code.
   * @default {{ level: "warn", format: "text" }}
   */
  readonly log?: LogOptions;
  /**
   * Where persistent actors keep their state: an open store (memory, file or
   * JetStream KV; the system will not close it). Without it, the embedded
   * file store at `stateFile` is opened when the first persistent actor starts.
   * @default {undefined}
   */
  readonly store?: StateStore;
  /**
   * The file of the embedded store, when `store` is not given.
   * @default {".actorcluster/state.db" in the working directory}
   */
  readonly stateFile?: string;
  /**
   * Joins a cluster of hosts over NATS (or another transport). Without it,
   * the system is one host in this process.
   * @default {undefined}
   */
  readonly cluster?: ClusterOptions;
  /**
   * Runs actors on this many worker hosts too: Deno Workers of this process,
   * each a host of its own in the cluster (labelled `thread: "worker"`; this
   * host gets `thread: "main"`), so that actors use every core. `"auto"`:
   * one per core. Without `cluster.servers`, this host and its workers form
   * a cluster of their own over the process's port bus (no NATS server
   * needed; `cluster` may still set its name, labels, `busyAfterMs` and
   * `hangLimitMs`); with `cluster.servers`, each worker joins those servers. Place actors on them
   * like on any host, e.g. `placement: { kind: "spread", labels: { thread: "worker" } }`;
   * their definitions must have a `module` (they load it, as an agent does).
   * Worker hosts keep persistent state in the file store at `stateFile`,
   * and take this system's `tracing` and `metrics` (their turns are spans
   * and timed as this host's are; without `tracing`, each decides by its
   * own registered tracer provider, as this host does).
   * See docs/cluster.md, "Worker hosts".
   * @default {0}
   */
  readonly workers?: number | "auto";
  /** Modules each worker host imports when it starts (paths or URLs). */
  readonly workerImports?: readonly string[];
  /**
   * Which messages are checked against their definition's runtime `schemas`
   * before the handler runs: `"remote"`, those that arrive from another
   * host (types are not checked there); `"always"`, local ones too, for
   * development (a notebook, plain `deno run`). A definition without
   * `schemas` costs nothing either way. See docs/messages.md.
   * @default {"remote"}
   */
  readonly validateMessages?: ValidateMessages;
  /**
   * The most entities resident on this host at once: an activation beyond it
   * first passivates the least recently used idle entity, so a backlog of
   * first messages cannot activate without bound.
   * @default {100_000}
   */
  readonly maxResidentEntities?: number;
  /**
   * Whether each handler turn is an OpenTelemetry span (through
   * `npm:@opentelemetry/api`), nested under the span the message was sent
   * from, across hosts. Off, it costs one check per send and per mailbox run.
   * @default {whether a tracer provider is registered as the system starts: Deno's with `OTEL_DENO=true`, or an SDK's}
   */
  readonly tracing?: boolean;
  /**
   * Whether this host keeps metrics that cost time per turn: each handler
   * turn is timed into a histogram per actor type (`system.metrics()`).
   * The other metrics are read when asked and cost nothing meanwhile.
   * @default {false}
   */
  readonly metrics?: boolean;
}

/** Options of `ActorSystem.stop` and `ActorSystem.shutdown`. */
export interface StopOptions {
  /**
   * How long to wait for running turns and stop hooks before cutting them off.
   * @default {the system's stopTimeoutMs; for a supervisor, no limit: each actor of its tree has its own}
   */
  readonly timeoutMs?: number;
}

/**
 * Checks the options and fills in the defaults.
 *
 * @throws {InvalidOptionError} When a timeout is not a positive finite number.
 * @throws {InvalidNameError} When `hostId` breaks the naming rules.
 * @throws {AuthFileError} When `cluster.connect.authFile` cannot be read.
 */
export function runtimeSettings(options: ActorSystemOptions): RuntimeSettings {
  // A member with a credentials file may speak only as the file's id: that is its default.
  const authFile = options.cluster?.connect?.authFile;
  const chosen = options.hostId ?? (authFile === undefined ? undefined : readAuthFile(authFile).id);
  const hostId = chosen === undefined ? newHostId() : validateName(chosen, "name") as HostId;
  const clock = options.clock ?? systemClock;
  return {
    hostId,
    firstSequence: firstSequence(chosen !== undefined, clock.now()),
    clock,
    ...(options.random === undefined ? {} : { random: options.random }),
    askTimeoutMs: positiveMs("askTimeoutMs", options.askTimeoutMs, DEFAULT_ASK_TIMEOUT_MS),
    stopTimeoutMs: positiveMs("stopTimeoutMs", options.stopTimeoutMs, DEFAULT_STOP_TIMEOUT_MS),
    mailbox: resolveMailbox(options.mailbox),
    deadLetters: options.deadLetters ?? {},
    scheduler: options.scheduler ?? {},
    deathRecords: options.deathRecords ?? {},
    topLevelFailure: topLevelFailure(options.topLevelFailure),
    logFailures: options.logFailures ?? true,
    logger: new Logger(hostId, options.log),
    store: options.store,
    stateFile: options.stateFile ?? DEFAULT_STATE_FILE,
    validateMessages: validateMessagesOption(options.validateMessages),
    maxResidentEntities: maxResident(options.maxResidentEntities),
    ...(options.tracing === undefined ? {} : { tracing: options.tracing === true }),
    ...(options.metrics === true ? { metrics: true } : {}),
  };
}

function maxResident(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_RESIDENT_ENTITIES;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError("maxResidentEntities", value, "a positive integer");
  }
  return value;
}

function topLevelFailure(value: TopLevelFailure | undefined): TopLevelFailure {
  if (value === undefined) return "keep-running";
  if (value !== "keep-running" && value !== "shutdown") {
    throw new InvalidOptionError("topLevelFailure", value, `"keep-running" or "shutdown"`);
  }
  return value;
}

/** A positive finite number of milliseconds, or the fallback when not given. */
export function positiveMs(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return checkTimeoutMs(option, value);
}
