/**
 * The entry of a worker host: a Deno Worker that runs a host of its own
 * (an actor system joined to its process's cluster), started by
 * `worker_host.ts`. Definitions spawned on it are loaded from their module
 * URL, as the host agent does.
 *
 * Not a public module.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { FromWorkerHost, ToWorkerHost, WorkerHostInit } from "./_worker_messages.ts";
import type { ClusterOptions } from "../cluster/options.ts";
import type { LogRecord } from "../actors/observe/logger.ts";
import { ActorSystem } from "../system.ts";
import { PortTransport } from "../transport/port_bus.ts";
import { portLiveness } from "../cluster/worker_liveness.ts";
import { LIVENESS_OVERRIDE, type WithLivenessOverride } from "./_liveness_override.ts";
import { MODULE_TRUST, type WithModuleTrust } from "./_module_trust.ts";

const post = (message: FromWorkerHost): void => self.postMessage(message);
let system: ActorSystem | undefined;

/** The main thread's answers about modules, by question id. */
const trustAnswers = new Map<number, (trusted: boolean) => void>();
let nextQuestion = 0;

self.onmessage = (event: MessageEvent<ToWorkerHost>) => {
  const message = event.data;
  switch (message.t) {
    case "init":
      void start(message);
      return;
    case "shutdown":
      void shutdown(message.timeoutMs);
      return;
    case "trusted":
      trustAnswers.get(message.id)?.(message.trusted);
      trustAnswers.delete(message.id);
      return;
    case "metrics":
      post({ t: "metrics", id: message.id, snapshot: system?.metrics() });
      return;
  }
};

/** Asks the main thread whether its program has definitions from the module at `file`. */
function trusts(file: string): Promise<boolean> {
  const id = nextQuestion++;
  const { promise, resolve } = Promise.withResolvers<boolean>();
  trustAnswers.set(id, resolve);
  post({ t: "trusts", id, file });
  return promise;
}

async function start(init: WorkerHostInit): Promise<void> {
  try {
    for (const specifier of init.imports) await import(specifier);
    const link = init.link;
    const common = {
      name: init.cluster,
      prefix: init.prefix,
      labels: init.labels,
      heartbeatIntervalMs: init.heartbeatIntervalMs,
      suspicionTimeoutMs: init.suspicionTimeoutMs,
      busyAfterMs: init.busyAfterMs,
      hangLimitMs: init.hangLimitMs,
      spawnTimeoutMs: init.spawnTimeoutMs,
      ...(init.moduleAllowlist === undefined ? {} : { moduleAllowlist: init.moduleAllowlist }),
      ...(init.spawnRate === undefined ? {} : { spawnRate: init.spawnRate }),
    };
    const cluster: ClusterOptions & WithLivenessOverride & WithModuleTrust = link.kind === "nats"
      ? {
        ...common,
        servers: link.servers,
        connect: link.connect,
        ...(link.directChannel === undefined ? {} : { directChannel: link.directChannel }),
        [MODULE_TRUST]: trusts,
      }
      : {
        ...common,
        [MODULE_TRUST]: trusts,
        transport: new PortTransport(link.data, link.maxPayloadBytes),
        [LIVENESS_OVERRIDE]: portLiveness(
          {
            cluster: init.cluster,
            prefix: init.prefix,
            busyAfterMs: init.busyAfterMs,
            hangLimitMs: init.hangLimitMs,
          },
          link.liveness,
        ),
      };
    system = await ActorSystem.start({
      hostId: init.hostId,
      askTimeoutMs: init.askTimeoutMs,
      stopTimeoutMs: init.stopTimeoutMs,
      stateFile: init.stateFile,
      ...(init.mailbox === undefined ? {} : { mailbox: init.mailbox }),
      // The main thread writes this host's records: to its console, where
      // output is captured, or to the sink its system was given.
      log: {
        ...(init.logLevel === undefined ? {} : { level: init.logLevel }),
        sink: (record) => post({ t: "log", record: cloneable(record) }),
      },
      ...(init.deadLetters === undefined ? {} : { deadLetters: init.deadLetters }),
      ...(init.logFailures === undefined ? {} : { logFailures: init.logFailures }),
      ...(init.validateMessages === undefined ? {} : { validateMessages: init.validateMessages }),
      ...(init.tracing === undefined ? {} : { tracing: init.tracing }),
      ...(init.metrics === undefined ? {} : { metrics: init.metrics }),
      cluster,
    });
    // A turn or onStop cut off at its deadline may still be running: only a
    // kill ends it, and only the main thread can kill this worker.
    system.deaths.subscribe((record) => {
      if (record.forced) post({ t: "overran", actorId: record.actor.id, type: record.actor.type });
    });
    post({ t: "ready" });
  } catch (err) {
    post({ t: "failed", message: err instanceof Error ? err.message : String(err) });
  }
}

/** A record whose fields survive `postMessage` (anything else is sent as text). */
function cloneable(record: LogRecord): LogRecord {
  try {
    structuredClone(record.fields);
    return record;
  } catch {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record.fields)) {
      try {
        fields[key] = structuredClone(value);
      } catch {
        fields[key] = String(value);
      }
    }
    return { ...record, fields };
  }
}

async function shutdown(timeoutMs: number): Promise<void> {
  try {
    await system?.shutdown({ timeoutMs });
  } finally {
    post({ t: "stopped" });
  }
}
