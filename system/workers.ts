/**
 * `ActorSystem.start({ workers })`: the option's check, and how a system with
 * worker hosts is laid out. Without `cluster.servers`, the main host and its
 * workers form a cluster of their own on the process's port bus (no server
 * needed; `cluster` may still give its name, labels and thresholds); with
 * `cluster.servers`, each worker joins the same servers as a host of its own. The worker hosts' module is loaded only when workers are asked for.
 *
 * @module
 */

import type { ActorSystemOptions } from "./options.ts";
import type { Runtime } from "../actors/runtime.ts";
import type { ClusterOptions } from "../cluster/options.ts";
import type { WorkerHosts } from "./worker_hosts.ts";
import type { PortHub } from "../transport/port_bus.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { DEFAULT_STATE_FILE } from "./options.ts";
import { THREAD_LABEL } from "../cluster/placement.ts";

/** The most worker hosts one process may run. */
export const MAX_WORKERS = 256;
/** The cluster name of a process's own cluster (its hosts on the port bus). */
export const LOCAL_CLUSTER = "local";

/**
 * How many worker hosts `workers` asks for: a whole number from 0 to 256, or
 * `"auto"` (one per core).
 *
 * @throws {InvalidOptionError} For anything else, or for workers with a
 *   cluster `transport` (an in-process bus cannot reach other threads).
 */
export function workerCount(options: ActorSystemOptions): number {
  const workers = options.workers;
  if (workers === undefined) return 0;
  const count = workers === "auto" ? navigator.hardwareConcurrency : workers;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > MAX_WORKERS) {
    throw new InvalidOptionError(
      "workers",
      workers,
      `a whole number from 0 to ${MAX_WORKERS}, or "auto"`,
    );
  }
  if (count > 0 && options.cluster?.transport !== undefined) {
    throw new InvalidOptionError(
      "workers",
      workers,
      "no workers with a cluster transport: give cluster.servers, or neither (the " +
        "process's own port bus)",
    );
  }
  if (count > 0 && options.clock !== undefined) {
    throw new InvalidOptionError("workers", workers, "no workers with a clock of your own");
  }
  return count;
}

/** A system with worker hosts, before and after its main host joined. */
export interface WorkersPlan {
  /** The main host's options: its cluster (the port bus when none was given) and labels. */
  readonly options: ActorSystemOptions;
  /** Starts the worker hosts once the main host has joined. */
  start(runtime: Runtime): Promise<WorkerHosts>;
  /** Closes the port bus, after every host on it shut down. */
  close(): void;
}

/**
 * Lays out a system with `count` worker hosts.
 *
 * @param options The options given to `ActorSystem.start`.
 * @param count From {@linkcode workerCount}, at least 1.
 */
export async function planWorkers(
  options: ActorSystemOptions,
  count: number,
): Promise<WorkersPlan> {
  const { PortHub } = await import("../transport/port_bus.ts");
  const { WorkerHosts } = await import("./worker_hosts.ts");
  const { DEFAULT_SPAWN_TIMEOUT_MS } = await import("../cluster/options.ts");
  const { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_SUSPICION_TIMEOUT_MS } = await import(
    "../cluster/membership.ts"
  );
  const { DEFAULT_BUSY_AFTER_MS, DEFAULT_HANG_LIMIT_MS } = await import(
    "../cluster/worker_liveness.ts"
  );
  const { DEFAULT_SUBJECT_PREFIX } = await import("../transport/subjects.ts");
  const { workerDirectChannel } = await import("../cluster/direct_policy.ts");
  const given = options.cluster;
  const authFile = given?.connect?.authFile;
  const { readAuthFile } = await import("../transport/auth_file.ts");
  const maxIsolated = authFile === undefined ? Infinity : readAuthFile(authFile).isolated ?? 0;
  // Without servers, the hosts of this process are a cluster of their own.
  const hub: PortHub | undefined = given?.servers === undefined ? new PortHub() : undefined;
  const cluster: ClusterOptions = {
    name: LOCAL_CLUSTER,
    ...given,
    ...(hub === undefined ? {} : { transport: hub.connect(), liveness: "same-loop" }),
    labels: { ...given?.labels, [THREAD_LABEL]: "main" },
  };
  return {
    options: { ...options, cluster },
    start: (runtime) =>
      WorkerHosts.start({
        count,
        mainHostId: runtime.hostId,
        link: hub !== undefined ? { kind: "ports", hub } : {
          kind: "nats",
          servers: given!.servers!,
          connect: { ...given!.connect },
          ...workerDirectChannel(given!.directChannel),
        },
        cluster: cluster.name,
        prefix: cluster.prefix ?? DEFAULT_SUBJECT_PREFIX,
        labels: { ...given?.labels, [THREAD_LABEL]: "worker" },
        heartbeatIntervalMs: cluster.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
        suspicionTimeoutMs: cluster.suspicionTimeoutMs ?? DEFAULT_SUSPICION_TIMEOUT_MS,
        busyAfterMs: cluster.busyAfterMs ?? DEFAULT_BUSY_AFTER_MS,
        hangLimitMs: cluster.hangLimitMs ?? DEFAULT_HANG_LIMIT_MS,
        spawnTimeoutMs: cluster.spawnTimeoutMs ?? DEFAULT_SPAWN_TIMEOUT_MS,
        moduleAllowlist: cluster.moduleAllowlist,
        spawnRate: cluster.spawnRate,
        maxIsolated,
        mailbox: options.mailbox,
        askTimeoutMs: runtime.askTimeoutMs,
        stopTimeoutMs: runtime.stopTimeoutMs,
        stateFile: options.stateFile ?? DEFAULT_STATE_FILE,
        logLevel: runtime.logger.level,
        deadLetters: options.deadLetters,
        logFailures: options.logFailures,
        validateMessages: options.validateMessages,
        tracing: options.tracing,
        metrics: options.metrics,
        imports: [...(options.workerImports ?? [])],
        logger: runtime.logger,
      }),
    close: () => hub?.close(),
  };
}
