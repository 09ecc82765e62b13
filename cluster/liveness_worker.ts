/**
 * The liveness worker of a host (a `node:worker_threads` worker, so that it
 * never keeps the process alive by itself). With a NATS connection of its
 * own, it heartbeats for the host, hears the other hosts and decides who is
 * lost, whatever the host's event loop is doing. It measures that loop's
 * lag from the host's ticks: a lagging host is announced `busy`; a host
 * whose loop has stalled past the hang limit is declared lost on purpose and
 * told to fence itself (stop its actors) when its loop comes back.
 *
 * Not a public module: `worker_liveness.ts` starts it.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import type { FromLiveness, LivenessInit, ToLiveness } from "./_liveness_messages.ts";
import { systemClock } from "../base/clock.ts";
import { NatsTransport } from "../transport/nats_transport.ts";
import { Subjects } from "../transport/subjects.ts";
import { ClusterView } from "./view.ts";
import { Presence } from "./presence.ts";

const port = parentPort!;
const post = (message: FromLiveness): void => port.postMessage(message);

let init: LivenessInit | undefined;
let started: () => void = () => {};
const start = new Promise<void>((resolve) => started = resolve);
let fenced: (() => void) | undefined;
let presence: Presence | undefined;
let transport: NatsTransport | undefined;
let lastTickMs = performance.now();
let actorCount = 0;
let mailboxDepth = 0;
let hungReported = false;

port.on("message", (message: ToLiveness) => {
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

/** How late the host's loop runs: time since its last tick, beyond the tick interval. */
function loopLagMs(): number {
  return Math.max(0, performance.now() - lastTickMs - init!.tickIntervalMs);
}

async function run(settings: LivenessInit): Promise<void> {
  try {
    transport = await NatsTransport.connect(settings.servers, {
      ...settings.connect,
      name: `actor-host ${settings.hostId} liveness`,
    });
  } catch (err) {
    post({ t: "failed", message: err instanceof Error ? err.message : String(err) });
    return;
  }
  await start;
  const view = new ClusterView(settings.hostId);
  const postView = () => post({ t: "view", epoch: presence?.epoch ?? 0, hosts: view.hosts() });
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
    subjects: new Subjects(settings.cluster, settings.prefix),
    view,
    labels: settings.labels,
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    suspicionTimeoutMs: settings.suspicionTimeoutMs,
    startedAtMs: settings.startedAtMs,
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
  post({ t: "ready" });
  // The view travels to the host every heartbeat (loads, lags, last seen);
  // changes of state travel at once. The hang check runs at the same pace.
  setInterval(() => {
    postView();
    const lag = loopLagMs();
    if (lag >= settings.hangLimitMs && !hungReported) {
      hungReported = true;
      presence?.hung(lag, settings.hangLimitMs);
    }
  }, Math.min(settings.heartbeatIntervalMs, settings.hangLimitMs / 4));
}

async function stop(): Promise<void> {
  presence?.stop();
  await transport?.close().catch(() => {});
  post({ t: "stopped" });
}
