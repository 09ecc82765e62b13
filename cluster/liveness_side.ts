/**
 * The liveness side of a host: it heartbeats for the host, hears the other
 * hosts and decides who is lost, whatever the host's event loop is doing. It
 * runs apart from the host's loop: on a liveness worker with a NATS
 * connection of its own (`liveness_worker.ts`), or, for the worker hosts of
 * one process, on the process's main thread beside the in-process bus.
 *
 * It measures the host's loop lag from the host's ticks: a lagging host is
 * announced `busy`; a host whose loop stalls longer than a tick interval is
 * asked to yield (the dispatcher reads a shared flag between messages); a host
 * whose loop has stalled past the hang limit is declared lost on purpose and
 * told to fence itself (stop its actors) when its loop comes back.
 *
 * @module
 */

import type { FromLiveness, LivenessInit, ToLiveness } from "./_liveness_messages.ts";
import type { Transport } from "../transport/transport.ts";
import { systemClock } from "../base/clock.ts";
import { Subjects } from "../transport/subjects.ts";
import { ClusterView } from "./view.ts";
import { Presence } from "./presence.ts";

/** Both ends of the channel between a host and its liveness side. */
export interface LivenessEndpoint {
  /** Sends to the host. */
  post(message: FromLiveness): void;
  /** Receives from the host. */
  onMessage(handler: (message: ToLiveness) => void): void;
}

/** What the liveness side can be asked from outside (its owner, not the host). */
export interface LivenessSide {
  /** The host's loop lag now, in milliseconds (0 before the first tick). */
  loopLagMs(): number;
  /** Whether `stop` has run. */
  readonly stopped: boolean;
  /** The host was killed: declares it lost, so that the others move its actors at once, and stops. */
  killed(): void;
}

/**
 * Serves the liveness of one host over `endpoint`.
 *
 * @param endpoint The channel to the host.
 * @param connect Opens the side's own connection once the host has said who it is.
 * @param onHung What to do when the host's loop stalls past the hang limit
 *   (default: declare it lost and have it fence itself when its loop comes
 *   back; a worker host's owner kills it instead).
 * @returns What the owner of the side can ask of it.
 */
export function serveLiveness(
  endpoint: LivenessEndpoint,
  connect: (init: LivenessInit) => Promise<Transport>,
  onHung?: (stalledMs: number) => void,
): LivenessSide {
  const post = endpoint.post;
  let init: LivenessInit | undefined;
  let started: () => void = () => {};
  const start = new Promise<void>((resolve) => started = resolve);
  let fenced: (() => void) | undefined;
  let presence: Presence | undefined;
  let transport: Transport | undefined;
  let lastTickMs = performance.now();
  let actorCount = 0;
  let mailboxDepth = 0;
  let hungReported = false;
  let stopped = false;
  let timers: ReturnType<typeof setInterval>[] = [];

  const loopLagMs = (): number =>
    init === undefined ? 0 : Math.max(0, performance.now() - lastTickMs - init.tickIntervalMs);

  endpoint.onMessage((message) => {
    switch (message.t) {
      case "init":
        init = message;
        void run(message);
        return;
      case "start":
        started();
        return;
      case "tick":
        lastTickMs = performance.now();
        actorCount = message.actorCount;
        mailboxDepth = message.mailboxDepth;
        hungReported = false;
        return;
      case "fenced":
        fenced?.();
        fenced = undefined;
        return;
      case "leave":
        presence?.leave();
        return;
      case "stop":
        void stop();
        return;
    }
  });

  async function run(settings: LivenessInit): Promise<void> {
    try {
      transport = await connect(settings);
    } catch (err) {
      post({ t: "failed", message: err instanceof Error ? err.message : String(err) });
      return;
    }
    await start;
    if (stopped) return;
    const view = new ClusterView(settings.hostId);
    const postView = () =>
      post({
        t: "view",
        epoch: presence?.epoch ?? 0,
        hosts: view.hosts(),
        refused: presence?.refused ?? {},
      });
    view.onChange(postView);
    lastTickMs = performance.now();
    presence = new Presence({
      hostId: settings.hostId,
      clock: systemClock,
      log: {
        info: (text) => post({ t: "log", level: "info", text }),
        warn: (text) => post({ t: "log", level: "warn", text }),
      },
      transport,
      subjects: new Subjects(settings.cluster, settings.prefix, settings.hostId),
      view,
      labels: settings.labels,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      suspicionTimeoutMs: settings.suspicionTimeoutMs,
      startedAtMs: settings.startedAtMs,
      // Over NATS anyone with the subjects can announce: a host is a member
      // after two heartbeats. The in-process bus has only this process's hosts.
      admitAfterHeartbeats: settings.nats === undefined ? 1 : 2,
      load: () => {
        const lag = loopLagMs();
        return { actorCount, mailboxDepth, loopLagMs: lag, busy: lag >= settings.busyAfterMs };
      },
      fence: (cause) => {
        const done = new Promise<void>((resolve) => fenced = resolve);
        post({ t: "fence", cause });
        return done;
      },
      onGone: (hostId, reason) => post({ t: "gone", hostId, reason }),
    });
    postView();
    await presence.joined;
    if (stopped) return;
    post({ t: "ready" });
    // The view travels to the host every heartbeat (loads, lags, last seen);
    // changes of state travel at once. The hang check runs at the same pace.
    timers.push(setInterval(() => {
      postView();
      const lag = loopLagMs();
      if (lag >= settings.hangLimitMs && !hungReported) {
        hungReported = true;
        if (onHung !== undefined) onHung(lag);
        else presence?.hung(lag, settings.hangLimitMs);
      }
    }, Math.min(settings.heartbeatIntervalMs, settings.hangLimitMs / 4)));
    // A loop that missed a tick is asked to yield between two messages.
    const preempt = settings.preempt;
    if (preempt !== undefined) {
      timers.push(setInterval(() => {
        if (loopLagMs() >= settings.tickIntervalMs) Atomics.store(preempt, 0, 1);
      }, settings.tickIntervalMs));
    }
    for (const timer of timers) Deno.unrefTimer(timer as unknown as number);
  }

  async function stop(): Promise<void> {
    stopped = true;
    for (const timer of timers) clearInterval(timer);
    timers = [];
    presence?.stop();
    started();
    await transport?.close().catch(() => {});
    post({ t: "stopped" });
  }

  return {
    loopLagMs,
    get stopped() {
      return stopped;
    },
    killed: () => {
      presence?.killed();
      void stop();
    },
  };
}
