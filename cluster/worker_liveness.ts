/**
 * Liveness on a worker: the host side of `liveness_worker.ts`. The host
 * ticks the worker from its own loop (with its load); the worker heartbeats
 * with its own NATS connection, keeps the view and sends it back, tells of
 * hosts that are gone, and asks the host to fence itself when the others
 * declared it lost or its loop stalled past the hang limit.
 *
 * If the worker dies (it should not), the host cannot tell whether the
 * others still see it: it fences itself (its actors stop, with a death
 * record that says so) and starts a new worker as a new epoch.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import type { NatsConnectOptions } from "../transport/nats_connect.ts";
import type { TimerHandle } from "../base/clock.ts";
import type { FromLiveness, ToLiveness } from "./_liveness_messages.ts";
import type { Liveness, LivenessFactory, LivenessSeams } from "./liveness.ts";

/** Default lag of a host's loop from which it is announced busy, in milliseconds. */
export const DEFAULT_BUSY_AFTER_MS = 500;
/** Default stall of a host's loop after which it is declared lost on purpose, in milliseconds. */
export const DEFAULT_HANG_LIMIT_MS = 30_000;
/** How often the host ticks its liveness worker, in milliseconds. */
const TICK_INTERVAL_MS = 50;

/** How the liveness worker connects and judges the host's loop. */
export interface WorkerLivenessSettings {
  /** NATS server URLs. */
  readonly servers: string | readonly string[];
  /** Credentials, TLS, reconnect and ping settings (the worker's own connection). */
  readonly connect: NatsConnectOptions;
  /** The cluster's name. */
  readonly cluster: string;
  /** The first subject token. */
  readonly prefix: string;
  /** Loop lag from which the host is announced busy, in milliseconds. */
  readonly busyAfterMs: number;
  /** Loop stall after which the host is declared lost on purpose, in milliseconds. */
  readonly hangLimitMs: number;
}

/** Liveness on a worker of its own, with its own connection to `settings.servers`. */
export function workerLiveness(settings: WorkerLivenessSettings): LivenessFactory {
  return (seams) => new WorkerLiveness(settings, seams);
}

class WorkerLiveness implements Liveness {
  readonly ready: Promise<void>;
  #settings: WorkerLivenessSettings;
  #seams: LivenessSeams;
  #worker!: Worker;
  #epoch: number;
  #tick: TimerHandle | undefined;
  #depth = 0;
  #depthCountedAtMs = -Infinity;
  #stopping = false;
  #stopped: (() => void) | undefined;

  constructor(settings: WorkerLivenessSettings, seams: LivenessSeams) {
    this.#settings = settings;
    this.#seams = seams;
    this.#epoch = seams.clock.now();
    this.ready = this.#spawn(this.#epoch);
  }

  get epoch(): number {
    return this.#epoch;
  }

  leave(): void {
    this.#post({ t: "leave" });
  }

  stop(): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    this.#stopping = true;
    this.#stopTicking();
    const worker = this.#worker;
    const closed = new Promise<void>((resolve) => this.#stopped = resolve);
    this.#post({ t: "stop" });
    // The worker closes its connection, then says so; it is ended either way.
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, 2_000));
    return Promise.race([closed, deadline]).then(() => void worker.terminate());
  }

  #spawn(startedAtMs: number): Promise<void> {
    const seams = this.#seams;
    const worker = new Worker(new URL("./liveness_worker.ts", import.meta.url));
    this.#worker = worker;
    worker.unref();
    const { promise: ready, resolve, reject } = Promise.withResolvers<void>();
    worker.on("message", (message: FromLiveness) => {
      switch (message.t) {
        case "ready":
          this.#startTicking();
          resolve();
          return;
        case "failed":
          reject(new Error(message.message));
          return;
        case "view":
          this.#epoch = message.epoch || this.#epoch;
          seams.view.replace(message.hosts);
          return;
        case "gone":
          seams.onGone(message.hostId, message.reason);
          return;
        case "fence":
          void seams.fence(message.cause).finally(() => this.#post({ t: "fenced" }));
          return;
        case "log":
          seams.log[message.level](message.text);
          return;
        case "stopped":
          this.#stopped?.();
          return;
      }
    });
    worker.on("error", (err: unknown) => {
      reject(err);
      seams.log.warn(`the liveness worker failed: ${String(err)}`);
    });
    worker.on("exit", () => {
      reject(new Error("the liveness worker exited before it was ready"));
      if (!this.#stopping) this.#lostWorker();
    });
    const { hostId, labels, heartbeatIntervalMs, suspicionTimeoutMs } = seams;
    this.#post({
      t: "init",
      hostId,
      servers: this.#settings.servers,
      connect: this.#settings.connect,
      cluster: this.#settings.cluster,
      prefix: this.#settings.prefix,
      labels,
      heartbeatIntervalMs,
      suspicionTimeoutMs,
      busyAfterMs: this.#settings.busyAfterMs,
      hangLimitMs: this.#settings.hangLimitMs,
      tickIntervalMs: TICK_INTERVAL_MS,
      startedAtMs,
    });
    // The host's subscriptions are sent before this; announce once they are in place.
    void seams.transport.flush().catch(() => {}).then(() => this.#post({ t: "start" }));
    return ready;
  }

  /** The worker died: nobody heartbeats for this host any more. Fence, then start anew. */
  #lostWorker(): void {
    this.#stopTicking();
    this.#seams.log.warn(
      "the liveness worker of this host ended unexpectedly: stopping this host's actors " +
        "(the others will declare it lost) and rejoining with a new epoch",
    );
    void this.#seams.fence({ kind: "declared-lost" }).then(() => {
      if (this.#stopping) return;
      this.#epoch = Math.max(this.#seams.clock.now(), this.#epoch + 1);
      this.#spawn(this.#epoch).catch((err) =>
        this.#seams.log.warn(`the liveness worker could not start again: ${String(err)}`)
      );
    });
  }

  #startTicking(): void {
    const { clock } = this.#seams;
    const tick = () => {
      const now = clock.now();
      if (now - this.#depthCountedAtMs >= 1_000) {
        this.#depthCountedAtMs = now;
        void this.#seams.mailboxDepth().then((depth) => this.#depth = depth, () => {});
      }
      this.#post({ t: "tick", actorCount: this.#seams.actorCount(), mailboxDepth: this.#depth });
      this.#tick = clock.setTimeout(tick, TICK_INTERVAL_MS);
      clock.keepAlive(this.#tick, false);
    };
    tick();
  }

  #stopTicking(): void {
    if (this.#tick !== undefined) this.#seams.clock.clearTimeout(this.#tick);
    this.#tick = undefined;
  }

  #post(message: ToLiveness): void {
    try {
      this.#worker.postMessage(message);
    } catch {
      // The worker is gone; its exit is handled.
    }
  }
}
