/**
 * What a worker host starts with: the `init` message, the main host's
 * settings as the worker reads them, with its own id and its end of the
 * link (the bus's ports, moved to it, or the NATS servers it connects to).
 *
 * @module
 */

import type { WorkerHostInit } from "./_worker_messages.ts";
import type { WorkerHostsSettings } from "./worker_hosts_settings.ts";

/**
 * The `init` message of one worker host.
 *
 * @param settings What the worker hosts of this process share.
 * @param hostId This worker host's id.
 * @param link Its end of the link.
 * @returns The message to post to its worker (with the link's ports transferred).
 */
export function workerHostInit(
  settings: WorkerHostsSettings,
  hostId: string,
  link: WorkerHostInit["link"],
): WorkerHostInit {
  return {
    t: "init",
    hostId,
    link,
    cluster: settings.cluster,
    prefix: settings.prefix,
    labels: settings.labels,
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    suspicionTimeoutMs: settings.suspicionTimeoutMs,
    busyAfterMs: settings.busyAfterMs,
    hangLimitMs: settings.hangLimitMs,
    spawnTimeoutMs: settings.spawnTimeoutMs,
    moduleAllowlist: settings.moduleAllowlist,
    spawnRate: settings.spawnRate,
    mailbox: settings.mailbox,
    askTimeoutMs: settings.askTimeoutMs,
    stopTimeoutMs: settings.stopTimeoutMs,
    stateFile: settings.stateFile,
    logLevel: settings.logLevel,
    deadLetters: settings.deadLetters,
    logFailures: settings.logFailures,
    validateMessages: settings.validateMessages,
    tracing: settings.tracing,
    metrics: settings.metrics,
    imports: settings.imports,
  };
}
