/**
 * One worker host, seen from the main thread: its Deno Worker, started with
 * the process's settings, the link to the cluster handed to it, and (on the
 * in-process bus) its liveness served beside it. The worker is killed for
 * real when a stop overran its deadline or its loop stalled past the hang
 * limit: it is declared lost, terminated and, unless isolated, replaced by
 * a fresh worker with the same host id.
 *
 * @module
 */

import type { FromWorkerHost, ToWorkerHost, WorkerHostInit } from "./_worker_messages.ts";
import type { FromLiveness, ToLiveness } from "../cluster/_liveness_messages.ts";
import type { PortHub } from "../transport/port_bus.ts";
import { type LivenessSide, serveLiveness } from "../cluster/liveness_side.ts";
import { Subjects } from "../transport/subjects.ts";
import { hasDefinitionsFrom } from "../actors/internal.ts";
import type { HostMetricsSnapshot } from "./metrics.ts";
import { MetricsRequests } from "./worker_metrics.ts";
import type { WorkerHostsSettings } from "./worker_hosts_settings.ts";
import { workerHostInit } from "./worker_host_init.ts";
import { StopDeadlines } from "./worker_stop_deadlines.ts";

/** How long a worker host may take to start, in milliseconds. */
const START_TIMEOUT_MS = 120_000;

/** One worker host, replaced by a fresh worker when it is killed (unless isolated). */
export class WorkerHost {
  /** Its host id, the same for every worker that replaces it. */
  readonly hostId: string;
  readonly #replaced: boolean;
  /** Settles once its current worker has joined, or could not start. */
  started: Promise<void>;
  /** How many times its workers were killed. */
  kills = 0;
  #settings: WorkerHostsSettings;
  #worker!: Worker;
  #side: LivenessSide | undefined;
  #detach: (() => void) | undefined;
  readonly #stopDeadlines = new StopDeadlines();
  #stopped: (() => void) | undefined;
  #shuttingDown = false;
  #dead = false;
  readonly #metrics = new MetricsRequests();

  /**
   * Starts its first worker.
   *
   * @param settings What the worker hosts of this process share.
   * @param hostId Its host id.
   * @param replaced Whether a killed worker is replaced (isolated ones are not).
   */
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
    worker.postMessage(workerHostInit(settings, this.hostId, linkInit), transfer);
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
    this.#stopDeadlines.watch(transport, subjects.controlsOf(this.hostId, "stop"), {
      stopTimeoutMs: this.#settings.stopTimeoutMs,
      hangLimitMs: this.#settings.hangLimitMs,
      loopLagMs: () => this.#side?.loopLagMs() ?? 0,
      kill: (why) => this.#kill(why),
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
    this.#stopDeadlines.end();
    this.#detach?.();
    this.#detach = undefined;
  }

  /**
   * Shuts its worker down gracefully; one that does not answer within
   * `timeoutMs` (plus a second) is terminated. It is not replaced after.
   */
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
