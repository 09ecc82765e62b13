/**
 * A host's metrics: per actor type (actors, messages handled, mailbox
 * depth, restarts, handler time), per host (messages per second, event-loop
 * lag, dead letters by reason, bytes and batches sent and received). Most
 * are read from the runtime when asked, so they cost nothing between
 * reads; dead letters are counted as they are published, and handler times
 * only with the system's `metrics` option.
 *
 * They are offered three ways: {@linkcode HostMetrics.snapshot} (plain data,
 * `system.metrics()`), the Prometheus text format ({@linkcode prometheusText},
 * served by the host agent's `--metrics-port`), and observable instruments of
 * `@opentelemetry/api` ({@linkcode HostMetrics.observe}), exported by
 * whatever meter provider is registered (Deno's with `OTEL_DENO=true`).
 *
 * @module
 */

import { metrics, type ObservableResult } from "npm:@opentelemetry/api@1.9.0";
import type { Runtime } from "../actors/runtime.ts";
import type { TransportStats } from "../cluster/cluster_host.ts";
import type { TurnHistogram } from "../actors/observe/turn_times.ts";

/** What a host's metrics say of one actor type. */
export interface ActorTypeMetrics {
  /** Live actors of the type. */
  readonly actors: number;
  /** Messages handled by its live actors, since each started. */
  readonly handled: number;
  /** User messages waiting in their mailboxes. */
  readonly mailboxDepth: number;
  /** Restarts of its live actors. */
  readonly restarts: number;
  /** Handler turn times (only with the system's `metrics` option). */
  readonly turns?: TurnHistogram;
}

/** One host's metrics at one moment. */
export interface HostMetricsSnapshot {
  /** The host. */
  readonly hostId: string;
  /** When it was taken, in milliseconds since the epoch. */
  readonly atMs: number;
  /** Messages handled on this host since it started (stopped actors included). */
  readonly handled: number;
  /** Messages handled per second, lately. */
  readonly messagesPerSecond: number;
  /** User messages waiting in all mailboxes. */
  readonly mailboxDepth: number;
  /** The longest event-loop delay seen since the last snapshot, in milliseconds. */
  readonly loopLagMs: number;
  /** Dead letters since the system started, by reason (a flood record's count included). */
  readonly deadLetters: Readonly<Record<string, number>>;
  /** Per actor type. */
  readonly types: Readonly<Record<string, ActorTypeMetrics>>;
  /** Cluster traffic (`undefined` without a cluster). */
  readonly transport: TransportStats | undefined;
}

/** How often the event-loop lag is sampled. */
const LAG_SAMPLE_MS = 100;

/** Keeps the counters of one host and takes snapshots of its metrics. */
export class HostMetrics {
  readonly #runtime: Runtime;
  readonly #transport: () => TransportStats | undefined;
  readonly #deadLetters: Record<string, number> = {};
  readonly #unsubscribe: () => void;
  #lagTimer: ReturnType<typeof setInterval> | undefined = undefined;
  #maxLagMs = 0;

  /**
   * @param runtime The host's runtime.
   * @param transport Reads the host's traffic counters.
   */
  constructor(runtime: Runtime, transport: () => TransportStats | undefined) {
    this.#runtime = runtime;
    this.#transport = transport;
    this.#unsubscribe = runtime.deadLetters.subscribe((letter) => {
      this.#deadLetters[letter.reason] = (this.#deadLetters[letter.reason] ?? 0) +
        (letter.count ?? 1);
    });
  }

  /** Starts sampling the event-loop lag (on the first snapshot, or at start with `metrics`). */
  sampleLag(): void {
    if (this.#lagTimer !== undefined) return;
    let expected = performance.now() + LAG_SAMPLE_MS;
    const timer = setInterval(() => {
      const now = performance.now();
      this.#maxLagMs = Math.max(this.#maxLagMs, now - expected);
      expected = now + LAG_SAMPLE_MS;
    }, LAG_SAMPLE_MS);
    // The sampler never keeps a process alive.
    Deno.unrefTimer(timer);
    this.#lagTimer = timer;
  }

  /** The metrics now. */
  snapshot(): HostMetricsSnapshot {
    this.sampleLag();
    const runtime = this.#runtime;
    const load = runtime.measureLoad();
    const turns = runtime.turnTimes?.snapshot() ?? {};
    const types: Record<
      string,
      {
        actors: number;
        handled: number;
        mailboxDepth: number;
        restarts: number;
        turns?: TurnHistogram;
      }
    > = {};
    for (const cell of runtime.cells()) {
      const type = cell.def.type;
      const entry = types[type] ??= { actors: 0, handled: 0, mailboxDepth: 0, restarts: 0 };
      entry.actors++;
      entry.handled += cell.handled;
      entry.mailboxDepth += cell.queued;
      entry.restarts += cell.incarnation;
    }
    for (const [type, histogram] of Object.entries(turns)) {
      (types[type] ??= { actors: 0, handled: 0, mailboxDepth: 0, restarts: 0 }).turns = histogram;
    }
    const loopLagMs = Math.max(0, this.#maxLagMs);
    this.#maxLagMs = 0;
    return {
      hostId: runtime.hostId,
      atMs: Date.now(),
      handled: load.handledMessages,
      messagesPerSecond: load.messagesPerSecond,
      mailboxDepth: load.queuedMessages,
      loopLagMs,
      deadLetters: { ...this.#deadLetters },
      types,
      transport: this.#transport(),
    };
  }

  /**
   * Registers observable instruments with the meter provider of
   * `@opentelemetry/api` (a no-op provider when none is registered), read
   * from a snapshot at each collection.
   */
  observe(): void {
    const meter = metrics.getMeter("actorcluster");
    const host = { "actor.host": this.#runtime.hostId };
    let last: HostMetricsSnapshot | undefined;
    const fresh = () => (last = this.snapshot());
    const perType = (
      name: string,
      description: string,
      read: (m: ActorTypeMetrics) => number,
      counter: boolean,
    ) => {
      const instrument = counter
        ? meter.createObservableCounter(name, { description })
        : meter.createObservableGauge(name, { description });
      instrument.addCallback((result: ObservableResult) => {
        const snapshot = last ?? fresh();
        for (const [type, m] of Object.entries(snapshot.types)) {
          result.observe(read(m), { ...host, "actor.type": type });
        }
      });
    };
    meter.createObservableGauge("actorcluster.host.messages_per_second", {
      description: "messages handled per second, lately",
    }).addCallback((result) => result.observe(fresh().messagesPerSecond, host));
    meter.createObservableCounter("actorcluster.host.messages_handled", {
      description: "messages handled on the host, stopped actors' included",
    }).addCallback((result) => result.observe((last ?? fresh()).handled, host));
    meter.createObservableGauge("actorcluster.host.loop_lag", {
      description: "longest event-loop delay since the last collection",
      unit: "ms",
    }).addCallback((result) => result.observe((last ?? fresh()).loopLagMs, host));
    meter.createObservableCounter("actorcluster.dead_letters", {
      description: "dead letters, by reason",
    }).addCallback((result) => {
      for (const [reason, n] of Object.entries((last ?? fresh()).deadLetters)) {
        result.observe(n, { ...host, "dead_letter.reason": reason });
      }
    });
    meter.createObservableCounter("actorcluster.host.batches", {
      description: "batches sent and received",
    }).addCallback((result) => {
      const t = (last ?? fresh()).transport;
      if (t === undefined) return;
      result.observe(t.batchesSent, { ...host, direction: "sent" });
      result.observe(t.batchesReceived, { ...host, direction: "received" });
    });
    meter.createObservableCounter("actorcluster.host.bytes", {
      description: "bytes sent and received by the host's connection",
      unit: "By",
    }).addCallback((result) => {
      const t = (last ?? fresh()).transport;
      if (t?.bytesSent === undefined || t.bytesReceived === undefined) return;
      result.observe(t.bytesSent, { ...host, direction: "sent" });
      result.observe(t.bytesReceived, { ...host, direction: "received" });
    });
    perType("actorcluster.actors", "live actors", (m) => m.actors, false);
    perType("actorcluster.messages_handled", "messages handled", (m) => m.handled, true);
    perType("actorcluster.mailbox_depth", "messages waiting", (m) => m.mailboxDepth, false);
    perType("actorcluster.restarts", "restarts of live actors", (m) => m.restarts, true);
  }

  /** Stops counting and sampling (the system shut down). */
  close(): void {
    this.#unsubscribe();
    clearInterval(this.#lagTimer);
    this.#lagTimer = undefined;
  }
}

export { prometheusText } from "./prometheus_text.ts";
