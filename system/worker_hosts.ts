/**
 * Worker hosts: hosts of their own on Deno Workers of this process, so that
 * actors use every core. Each is a member of the cluster like any host (same
 * placement, labels, supervision across hosts, inspection). Without NATS
 * they talk over the process's port bus, and the main thread serves their
 * liveness beside it: a worker whose actors compute is `busy`, never lost.
 * Code on a worker can be killed for real: a worker whose stop overran its
 * deadline, or whose loop stalled past the hang limit, is terminated, declared
 * lost (its actors' supervisors restart them) and replaced by a fresh one.
 *
 * @module
 */

import type { FromWorkerHost, ToWorkerHost, WorkerHostInit } from "./_worker_messages.ts";
import type { FromLiveness, ToLiveness } from "../cluster/_liveness_messages.ts";
import type { NatsConnectOptions } from "../transport/nats_connect.ts";
import type { DeadLetterOptions } from "../actors/observe/dead_letters.ts";
import type { ValidateMessages } from "../actors/message_schemas.ts";
import type { Labels } from "../cluster/view.ts";
import type { SpawnRateOptions } from "../cluster/spawn_rate.ts";
import type { MailboxOptions } from "../actors/mailbox.ts";
import type { Logger, LogLevel } from "../actors/observe/logger.ts";
import type { TransportSubscription } from "../transport/transport.ts";
import type { PortHub } from "../transport/port_bus.ts";
import type { DirectChannelOptions } from "../cluster/direct_policy.ts";
import { type LivenessSide, serveLiveness } from "../cluster/liveness_side.ts";
import { TICK_INTERVAL_MS } from "../cluster/worker_liveness.ts";
import { Subjects } from "../transport/subjects.ts";
import { unpackValue } from "../cluster/codec.ts";
import { ISOLATED_THREAD, THREAD_LABEL } from "../cluster/placement.ts";
import { hasDefinitionsFrom } from "../actors/internal.ts";
import { InvalidOptionError } from "../base/errors.ts";
import type { HostMetricsSnapshot } from "./metrics.ts";
import { MetricsRequests } from "./worker_metrics.ts";

/** How long a worker host may take to start, in milliseconds. */
const START_TIMEOUT_MS = 120_000;
/** Slack after a stop deadline before a stalled worker is killed, in milliseconds. */
const KILL_GRACE_MS = 4 * TICK_INTERVAL_MS;

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

/** The worker hosts of this process. */
export class WorkerHosts {
  readonly #hosts: WorkerHost[];
  readonly #isolated = new Set<WorkerHost>();
  readonly #settings: WorkerHostsSettings;
  #nextIsolated = 0;

  private constructor(hosts: WorkerHost[], settings: WorkerHostsSettings) {
    this.#hosts = hosts;
    this.#settings = settings;
  }

  /**
   * Starts the worker hosts and waits until each has joined.
   *
   * @throws {Error} When one could not start (the others are shut down).
   */
  static async start(settings: WorkerHostsSettings): Promise<WorkerHosts> {
    const hosts = Array.from(
      { length: settings.count },
      (_, i) => new WorkerHost(settings, `${settings.mainHostId}-w${i + 1}`),
    );
    const started = await Promise.allSettled(hosts.map((host) => host.started));
    const failed = started.find((s) => s.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(hosts.map((host) => host.shutdown(1_000)));
      throw (failed as PromiseRejectedResult).reason;
    }
    return new WorkerHosts(hosts, settings);
  }

  /**
   * Starts a worker host for one actor alone (`isolation: "worker"`): id
   * `<main>-x<n>`, label `thread: "isolated"` (no placement but a pin picks
   * it), not replaced when it is killed.
   *
   * @returns Its id, and how to end it once its actor has stopped.
   * @throws {InvalidOptionError} When the process's credentials allow no more isolated hosts.
   * @throws {Error} When it could not start.
   */
  async isolate(): Promise<{ readonly hostId: string; retire(): Promise<void> }> {
    const max = this.#settings.maxIsolated;
    if (this.#nextIsolated >= max) {
      // Its publishes would be refused by the server: refuse the spawn instead.
      throw new InvalidOptionError(
        "isolation",
        "worker",
        `this process's credentials allow ${max} isolated actors over its life ` +
          `(hosts ${this.#settings.mainHostId}-x1 ... -x${max}): ` +
          `write them with ctl auth init --isolated <n>`,
      );
    }
    const settings = {
      ...this.#settings,
      labels: { ...this.#settings.labels, [THREAD_LABEL]: ISOLATED_THREAD },
    };
    const host = new WorkerHost(settings, `${settings.mainHostId}-x${++this.#nextIsolated}`, false);
    this.#isolated.add(host);
    const retire = async () => {
      if (!this.#isolated.delete(host)) return;
      await host.shutdown(settings.stopTimeoutMs);
    };
    try {
      await host.started;
    } catch (err) {
      await retire();
      throw err;
    }
    return { hostId: host.hostId, retire };
  }

  /** The worker hosts' ids. */
  get hostIds(): string[] {
    return this.#hosts.map((host) => host.hostId);
  }

  /**
   * The metrics of every worker host (isolated ones included), each asked
   * of its worker; one that does not answer within `timeoutMs` is left out.
   */
  async metrics(timeoutMs: number): Promise<HostMetricsSnapshot[]> {
    const all = await Promise.all(
      [...this.#hosts, ...this.#isolated].map((host) => host.metrics(timeoutMs)),
    );
    return all.filter((snapshot) => snapshot !== undefined);
  }

  /** How many times workers were killed (isolated ones included). */
  get kills(): number {
    return [...this.#hosts, ...this.#isolated].reduce((sum, host) => sum + host.kills, 0);
  }

  /**
   * Shuts every worker host down gracefully; one that does not finish in
   * time (plus a second) is terminated.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    const all = [...this.#hosts, ...this.#isolated];
    this.#isolated.clear();
    await Promise.all(all.map((host) => host.shutdown(timeoutMs)));
  }
}

/** One worker host, replaced by a fresh worker when it is killed (unless isolated). */
class WorkerHost {
  readonly hostId: string;
  readonly #replaced: boolean;
  started: Promise<void>;
  kills = 0;
  #settings: WorkerHostsSettings;
  #worker!: Worker;
  #side: LivenessSide | undefined;
  #detach: (() => void) | undefined;
  #watch: TransportSubscription | undefined;
  #stopTimers = new Set<ReturnType<typeof setTimeout>>();
  #stopped: (() => void) | undefined;
  #shuttingDown = false;
  #dead = false;
  readonly #metrics = new MetricsRequests();

  constructor(settings: WorkerHostsSettings, hostId: string, replaced = true) {
    this.#settings = settings;
    this.hostId = hostId;
    this.#replaced = replaced;
    this.started = this.#spawn();
  }

  #spawn(): Promise<void> {
    const settings = this.#settings;
    this.#dead = false;
    const worker = new Worker(new URL("./worker_host_main.ts", import.meta.url), {
      type: "module",
    });
    this.#worker = worker;
    const { promise: ready, resolve, reject } = Promise.withResolvers<void>();
    const startTimer = setTimeout(
      () => reject(new Error(`worker host ${this.hostId} did not start in ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    void ready.finally(() => clearTimeout(startTimer)).catch(() => {});
    worker.onmessage = (event: MessageEvent<FromWorkerHost>) => {
      const message = event.data;
      switch (message.t) {
        case "ready":
          resolve();
          return;
        case "failed":
          reject(new Error(`worker host ${this.hostId} could not start: ${message.message}`));
          return;
        case "overran":
          this.#kill(
            `${message.type} ${message.actorId} overran its stop deadline ` +
              "(a turn or onStop that was cut off may still be running)",
          );
          return;
        case "log":
          this.#settings.logger.relay(message.record);
          return;
        case "trusts":
          // The worker runs this process's program: what this thread has
          // definitions from is the program's own code.
          worker.postMessage(
            {
              t: "trusted",
              id: message.id,
              trusted: hasDefinitionsFrom(message.file),
            } satisfies ToWorkerHost,
          );
          return;
        case "metrics":
          this.#metrics.answered(message.id, message.snapshot);
          return;
        case "stopped":
          this.#stopped?.();
          return;
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      // An error that nothing caught ends the worker: its host is gone.
      event.preventDefault();
      reject(new Error(`worker host ${this.hostId} failed: ${event.message}`));
      this.#kill(`its worker failed: ${event.message}`);
    };
    const link = settings.link;
    let linkInit: WorkerHostInit["link"];
    const transfer: Transferable[] = [];
    if (link.kind === "ports") {
      const data = new MessageChannel();
      const liveness = new MessageChannel();
      this.#detach = link.hub.attach(data.port1);
      this.#side = this.#serveLiveness(liveness.port1, link.hub);
      linkInit = {
        kind: "ports",
        data: data.port2,
        liveness: liveness.port2,
        maxPayloadBytes: link.hub.bus.maxPayloadBytes,
      };
      transfer.push(data.port2, liveness.port2);
    } else {
      linkInit = {
        kind: "nats",
        servers: link.servers,
        connect: link.connect,
        ...(link.directChannel === undefined ? {} : { directChannel: link.directChannel }),
      };
    }
    const init: ToWorkerHost = {
      t: "init",
      hostId: this.hostId,
      link: linkInit,
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
    worker.postMessage(init, transfer);
    return ready;
  }

  /**
   * Serves this worker's liveness on the main thread, on the bus, and
   * watches its stop requests: a stop the worker has not come back from by
   * its deadline (its loop stalled all along) gets the worker killed.
   */
  #serveLiveness(port: MessagePort, hub: PortHub): LivenessSide {
    const transport = hub.connect();
    const subjects = new Subjects(this.#settings.cluster, this.#settings.prefix, this.hostId);
    this.#watch = transport.subscribe(subjects.controlsOf(this.hostId, "stop"), (message) => {
      let timeoutMs = this.#settings.stopTimeoutMs;
      try {
        const request = unpackValue(message.data, () => undefined) as { timeoutMs?: unknown };
        if (typeof request?.timeoutMs === "number" && request.timeoutMs > 0) {
          timeoutMs = Math.min(request.timeoutMs, this.#settings.hangLimitMs);
        }
      } catch {
        // Not a stop request the worker will act on either.
      }
      const timer = setTimeout(() => {
        this.#stopTimers.delete(timer);
        const lagMs = this.#side?.loopLagMs() ?? 0;
        if (lagMs >= timeoutMs) {
          this.#kill(
            `a stop on it overran its deadline of ${timeoutMs} ms while its event loop ` +
              `was stalled for ${Math.round(lagMs)} ms`,
          );
        }
      }, timeoutMs + KILL_GRACE_MS);
      Deno.unrefTimer(timer as unknown as number);
      this.#stopTimers.add(timer);
    });
    return serveLiveness(
      {
        post: (message: FromLiveness) => port.postMessage(message),
        onMessage: (handler: (message: ToLiveness) => void) => {
          port.onmessage = (event: MessageEvent<ToLiveness>) => handler(event.data);
        },
      },
      () => Promise.resolve(transport),
      (stalledMs) =>
        this.#kill(
          `its event loop stalled for ${Math.round(stalledMs)} ms, past the hang limit of ` +
            `${this.#settings.hangLimitMs} ms`,
        ),
    );
  }

  /**
   * Ends the worker for real: it is declared lost (its actors' supervisors
   * restart them), terminated, and replaced by a fresh worker host with the
   * same id as a new epoch.
   */
  #kill(why: string): void {
    if (this.#dead) return;
    this.#dead = true;
    this.kills++;
    this.#settings.logger.warn(
      `killing worker host ${this.hostId}: ${why}; ` +
        (this.#replaced ? "its actors are restarted by their supervisors" : "its actor ends"),
    );
    this.#side?.killed();
    this.#end();
    if (this.#shuttingDown || !this.#replaced) {
      this.#stopped?.();
      return;
    }
    this.started = this.#spawn();
    this.started.catch((err) =>
      this.#settings.logger.warn(
        `worker host ${this.hostId} could not be replaced: ${(err as Error).message}`,
      )
    );
  }

  /** Its metrics, asked of its worker; `undefined` when it is down or does not answer in time. */
  metrics(timeoutMs: number): Promise<HostMetricsSnapshot | undefined> {
    if (this.#dead) return Promise.resolve(undefined);
    return this.#metrics.request(
      (id) => this.#worker.postMessage({ t: "metrics", id } satisfies ToWorkerHost),
      timeoutMs,
    );
  }

  #end(): void {
    this.#metrics.abandon();
    this.#worker.terminate();
    for (const timer of this.#stopTimers) clearTimeout(timer);
    this.#stopTimers.clear();
    this.#watch?.unsubscribe();
    this.#watch = undefined;
    this.#detach?.();
    this.#detach = undefined;
  }

  async shutdown(timeoutMs: number): Promise<void> {
    this.#shuttingDown = true;
    await this.started.catch(() => {});
    if (this.#dead) return;
    const stopped = new Promise<void>((resolve) => this.#stopped = resolve);
    try {
      this.#worker.postMessage({ t: "shutdown", timeoutMs } satisfies ToWorkerHost);
    } catch {
      // Gone already.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs + 1_000);
    });
    await Promise.race([stopped, late]);
    clearTimeout(timer);
    this.#dead = true;
    this.#end();
  }
}
