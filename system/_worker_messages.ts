/**
 * The messages between the main thread and a worker host (structured
 * clones over the worker's own port).
 *
 * @module
 */

import type { LogRecord } from "../actors/observe/logger.ts";
import type { HostMetricsSnapshot } from "./metrics.ts";

import type { NatsConnectOptions } from "../transport/nats_connect.ts";
import type { DirectChannelOptions } from "../cluster/direct_policy.ts";
import type { Labels } from "../cluster/view.ts";
import type { SpawnRateOptions } from "../cluster/spawn_rate.ts";
import type { MailboxOptions } from "../actors/mailbox.ts";
import type { LogLevel } from "../actors/observe/logger.ts";
import type { DeadLetterOptions } from "../actors/observe/dead_letters.ts";
import type { ValidateMessages } from "../actors/message_schemas.ts";

/** How the worker host joins: the in-process bus (two ports) or NATS servers. */
export type WorkerHostLink =
  | {
    readonly kind: "ports";
    /** Its transport's end of the bus. */
    readonly data: MessagePort;
    /** Its end of the port to its liveness side on the main thread. */
    readonly liveness: MessagePort;
    readonly maxPayloadBytes: number;
  }
  | {
    readonly kind: "nats";
    readonly servers: string | readonly string[];
    readonly connect: NatsConnectOptions;
    /** Its direct data channel, when the main host has one (a port of its own). */
    readonly directChannel?: DirectChannelOptions;
  };

/** Everything a worker host needs to start. */
export interface WorkerHostInit {
  readonly t: "init";
  readonly hostId: string;
  readonly link: WorkerHostLink;
  readonly cluster: string;
  readonly prefix: string;
  readonly labels: Labels;
  readonly heartbeatIntervalMs: number;
  readonly suspicionTimeoutMs: number;
  readonly busyAfterMs: number;
  readonly hangLimitMs: number;
  readonly spawnTimeoutMs: number;
  readonly moduleAllowlist: readonly string[] | undefined;
  /** The main host's `cluster.spawnRate`: a worker host limits spawn requests the same way. */
  readonly spawnRate: SpawnRateOptions | undefined;
  /** The main system's default `mailbox`. */
  readonly mailbox: MailboxOptions | undefined;
  readonly askTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly stateFile: string;
  readonly logLevel: LogLevel | undefined;
  /** The dead-letter settings of the system that started the workers (all of them clone). */
  readonly deadLetters: DeadLetterOptions | undefined;
  /** Whether failures are logged (the system's `logFailures`). */
  readonly logFailures: boolean | undefined;
  /** Which messages are checked against their schemas (the system's `validateMessages`). */
  readonly validateMessages: ValidateMessages | undefined;
  /** Whether turns are spans (the system's `tracing`; `undefined`: the worker's own default). */
  readonly tracing: boolean | undefined;
  /** Whether turns are timed into metrics (the system's `metrics`). */
  readonly metrics: boolean | undefined;
  /** Modules to import before joining (definitions the host serves by name). */
  readonly imports: readonly string[];
}

/** From the main thread to a worker host. */
export type ToWorkerHost =
  | WorkerHostInit
  /** Shut down gracefully within `timeoutMs`, then answer `stopped`. */
  | { readonly t: "shutdown"; readonly timeoutMs: number }
  /** The answer to `trusts`: whether this process has definitions from the module. */
  | { readonly t: "trusted"; readonly id: number; readonly trusted: boolean }
  /** Send this host's metrics (answered by `metrics` with the same id). */
  | { readonly t: "metrics"; readonly id: number };

/** From a worker host to the main thread. */
export type FromWorkerHost =
  | { readonly t: "ready" }
  | { readonly t: "failed"; readonly message: string }
  /** A stop cut off an overrunning turn or `onStop`: it may still run; kill this worker. */
  | { readonly t: "overran"; readonly actorId: string; readonly type: string }
  /** A log record of the worker's host, written by the main thread's logger. */
  | { readonly t: "log"; readonly record: LogRecord }
  /** May a spawn have this worker import the module at `file` (the main thread's own code)? */
  | { readonly t: "trusts"; readonly id: number; readonly file: string }
  /** This host's metrics now (`undefined` while it has no system). */
  | {
    readonly t: "metrics";
    readonly id: number;
    readonly snapshot: HostMetricsSnapshot | undefined;
  }
  | { readonly t: "stopped" };
