/**
 * Liveness apart from the host's loop: the host side of `liveness_side.ts`.
 * The host ticks its liveness side from its own loop (with its load); the
 * side heartbeats, keeps the view and sends it back, tells of hosts that are
 * gone, and asks the host to fence itself when the others declared it lost
 * or its loop stalled past the hang limit. The side runs on a liveness
 * worker with a NATS connection of its own (`workerLiveness`), or, for a
 * worker host, on its process's main thread (`portLiveness`).
 *
 * If a liveness worker dies (it should not), the host cannot tell whether the
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
/** How often the host ticks its liveness side, in milliseconds. */
export const TICK_INTERVAL_MS = 50;

/** How the liveness side judges the host's loop. */
export interface LivenessJudgement {
  /** The cluster's name. */
  readonly cluster: string;
  /** The first subject token. */
  readonly prefix: string;
  /** Loop lag from which the host is announced busy, in milliseconds. */
  readonly busyAfterMs: number;
  /** Loop stall after which the host is declared lost on purpose, in milliseconds. */
  readonly hangLimitMs: number;
}

/** How the liveness worker connects and judges the host's loop. */
export interface WorkerLivenessSettings extends LivenessJudgement {
  /** NATS server URLs. */
  readonly servers: string | readonly string[];
  /** Credentials, TLS, reconnect and ping settings (the worker's own connection). */
  readonly connect: NatsConnectOptions;
}

/** The host's end of the channel to its liveness side. */
export interface LivenessChannel {
  /** Sends to the side. */
  post(message: ToLiveness): void;
  /** Receives from the side. */
  onMessage(handler: (message: FromLiveness) => void): void;
  /** Called when the side ended without being stopped (a worker died). */
  onExit(handler: () => void): void;
  /** Ends the channel (terminates a worker). */
  end(): void;
}

/** Liveness on a worker of its own, with its own connection to `settings.servers`. */
export function workerLiveness(settings: WorkerLivenessSettings): LivenessFactory {
  const nats = { servers: settings.servers, connect: settings.connect };
  return (seams) => new SideLiveness(settings, seams, nats, livenessWorker, true);
}

/**
 * Liveness served over a port by the process's main thread (for a worker
 * host): the side there shares the in-process bus with the other hosts.
 *
 * @param judgement The cluster and the loop thresholds.
 * @param port This host's end of the port to its side.
 */
export function portLiveness(judgement: LivenessJudgement, port: MessagePort): LivenessFactory {
  return (seams) => new SideLiveness(judgement, seams, undefined, () => portChannel(port), false);
}

function livenessWorker(): LivenessChannel {
  const worker = new Worker(new URL("./liveness_worker.ts", import.meta.url));
  worker.unref();
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => worker.on("message", handler),
    onExit: (handler) => {
      worker.on("error", () => {});
      worker.on("exit", handler);
    },
    end: () => void worker.terminate(),
  };
}

function portChannel(port: MessagePort): LivenessChannel {
  return {
    post: (message) => port.postMessage(message),
    onMessage: (handler) => {
      port.onmessage = (event: MessageEvent<FromLiveness>) => handler(event.data);
      // A port with a handler keeps the process alive; the host's ticks and
      // its own work decide that.
      (port as unknown as { unref?: () => void }).unref?.();
    },
    onExit: () => {},
    end: () => port.close(),
  };
}

class SideLiveness implements Liveness {
  readonly ready: Promise<void>;
  #judgement: LivenessJudgement;
  #seams: LivenessSeams;
  #nats: { servers: string | readonly string[]; connect: NatsConnectOptions } | undefined;
  #open: () => LivenessChannel;
  #restarts: boolean;
  #channel!: LivenessChannel;
  #epoch: number;
  #tick: TimerHandle | undefined;
  #depth = 0;
  #depthCountedAtMs = -Infinity;
  #stopping = false;
  #stopped: (() => void) | undefined;
  #refused: Readonly<Record<string, number>> = {};

  constructor(
    judgement: LivenessJudgement,
    seams: LivenessSeams,
    nats: { servers: string | readonly string[]; connect: NatsConnectOptions } | undefined,
    open: () => LivenessChannel,
    restarts: boolean,
  ) {
    this.#judgement = judgement;
    this.#seams = seams;
    this.#nats = nats;
    this.#open = open;
    this.#restarts = restarts;
    this.#epoch = seams.clock.now();
    this.ready = this.#spawn(this.#epoch);
  }

  get epoch(): number {
    return this.#epoch;
  }

  get refused(): Readonly<Record<string, number>> {
    return this.#refused;
  }

  leave(): void {
    this.#post({ t: "leave" });
  }

  stop(): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    this.#stopping = true;
    this.#stopTicking();
    Atomics.store(this.#seams.preempt, 0, 0);
    const channel = this.#channel;
    const closed = new Promise<void>((resolve) => this.#stopped = resolve);
    this.#post({ t: "stop" });
    // The side closes its connection, then says so; it is ended either way.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => timer = setTimeout(resolve, 2_000));
    return Promise.race([closed, deadline]).then(() => {
      clearTimeout(timer);
      channel.end();
    });
  }

  #spawn(startedAtMs: number): Promise<void> {
    const seams = this.#seams;
    const channel = this.#open();
    this.#channel = channel;
    const { promise: ready, resolve, reject } = Promise.withResolvers<void>();
    channel.onMessage((message: FromLiveness) => {
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
          this.#refused = message.refused;
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
    channel.onExit(() => {
      reject(new Error("the liveness worker exited before it was ready"));
      if (!this.#stopping && this.#restarts) this.#lostWorker();
    });
    const { hostId, labels, heartbeatIntervalMs, suspicionTimeoutMs } = seams;
    this.#post({
      t: "init",
      hostId,
      ...(this.#nats === undefined ? {} : { nats: this.#nats }),
      cluster: this.#judgement.cluster,
      prefix: this.#judgement.prefix,
      labels,
      heartbeatIntervalMs,
      suspicionTimeoutMs,
      busyAfterMs: this.#judgement.busyAfterMs,
      hangLimitMs: this.#judgement.hangLimitMs,
      tickIntervalMs: TICK_INTERVAL_MS,
      startedAtMs,
      preempt: seams.preempt,
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
    const { clock, preempt } = this.#seams;
    const tick = () => {
      Atomics.store(preempt, 0, 0);
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
      this.#channel.post(message);
    } catch {
      // The side is gone; its exit is handled.
    }
  }
}
