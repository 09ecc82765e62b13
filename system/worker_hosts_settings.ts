/**
 * What the worker hosts of a process share (`worker_hosts.ts`): how they
 * reach the cluster, the main host's settings that each starts with
 * (`worker_host_init.ts`), and the main host's logger, where their kills
 * are said.
 *
 * @module
 */

import type { NatsConnectOptions } from "../transport/nats_connect.ts";
import type { DeadLetterOptions } from "../actors/observe/dead_letters.ts";
import type { ValidateMessages } from "../actors/message_schemas.ts";
import type { Labels } from "../cluster/view.ts";
import type { SpawnRateOptions } from "../cluster/spawn_rate.ts";
import type { MailboxOptions } from "../actors/mailbox.ts";
import type { Logger, LogLevel } from "../actors/observe/logger.ts";
import type { PortHub } from "../transport/port_bus.ts";
import type { DirectChannelOptions } from "../cluster/direct_policy.ts";

/** Everything the worker hosts of a process share. */
export interface WorkerHostsSettings {
  /** How many. */
  readonly count: number;
  /** The main host's id: worker `i` is `<id>-w<i>`. */
  readonly mainHostId: string;
  /** The in-process bus, or NATS servers each worker connects to. */
  readonly link:
    | { readonly kind: "ports"; readonly hub: PortHub }
    | {
      readonly kind: "nats";
      readonly servers: string | readonly string[];
      readonly connect: NatsConnectOptions;
      /** The worker hosts' direct data channel (`workerDirectChannel`), if on. */
      readonly directChannel?: DirectChannelOptions;
    };
  readonly cluster: string;
  readonly prefix: string;
  /** The workers' labels (the main host's, with `thread: "worker"`). */
  readonly labels: Labels;
  readonly heartbeatIntervalMs: number;
  readonly suspicionTimeoutMs: number;
  readonly busyAfterMs: number;
  readonly hangLimitMs: number;
  readonly spawnTimeoutMs: number;
  readonly moduleAllowlist: readonly string[] | undefined;
  /** The main host's spawn rate: each worker host limits spawn requests the same way. */
  readonly spawnRate: SpawnRateOptions | undefined;
  /**
   * How many actors this process may isolate over its life (`<main>-x1` ...):
   * its credentials file's `isolated`, unlimited without one.
   */
  readonly maxIsolated: number;
  /** The system's default mailbox, for the workers' actors too. */
  readonly mailbox: MailboxOptions | undefined;
  readonly askTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly stateFile: string;
  readonly logLevel: LogLevel | undefined;
  readonly deadLetters: DeadLetterOptions | undefined;
  readonly logFailures: boolean | undefined;
  readonly validateMessages: ValidateMessages | undefined;
  /** The system's `tracing` and `metrics`: a worker host's turns are spans and timed as the main host's are. */
  readonly tracing: boolean | undefined;
  readonly metrics: boolean | undefined;
  readonly imports: readonly string[];
  /** The main host's logger: kills and replacements are said there. */
  readonly logger: Logger;
}
