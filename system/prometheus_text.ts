/**
 * Hosts' metrics in the Prometheus text exposition format (version 0.0.4),
 * as the host agent's `--metrics-port` serves them: its own host's and
 * those of the worker hosts in its process, each series labelled with its
 * host, in one family per metric (the format allows each family once).
 *
 * @module
 */

import { TURN_BUCKETS_MS } from "../actors/observe/turn_times.ts";
import type { ActorTypeMetrics, HostMetricsSnapshot } from "./metrics.ts";

/** One host's snapshot with the labels its series carry besides `host`. */
export interface LabelledSnapshot {
  /** What `system.metrics()` (or `system.workerMetrics()`) returned. */
  readonly snapshot: HostMetricsSnapshot;
  /** More labels for every series of this host, e.g. `{ agent: "a" }` for a worker host. @default {{}} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Escapes a Prometheus label value. */
const label = (value: string): string =>
  value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');

/** A label name Prometheus accepts. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function hostLabels({ snapshot, labels }: LabelledSnapshot): string {
  let text = `host="${label(snapshot.hostId)}"`;
  for (const [name, value] of Object.entries(labels ?? {})) {
    if (!LABEL_NAME.test(name) || name === "host") {
      throw new RangeError(`"${name}" cannot be a Prometheus label name here`);
    }
    text += `,${name}="${label(value)}"`;
  }
  return text;
}

/**
 * Snapshots in the Prometheus text exposition format (version 0.0.4).
 *
 * @param hosts One snapshot, or several, each with its extra labels.
 * @returns The text a `/metrics` endpoint serves.
 * @throws {RangeError} When an extra label's name is not a Prometheus label name, or is `host`.
 */
export function prometheusText(
  hosts: HostMetricsSnapshot | readonly (HostMetricsSnapshot | LabelledSnapshot)[],
): string {
  const list: LabelledSnapshot[] = (Array.isArray(hosts) ? hosts : [hosts]).map((
    h: HostMetricsSnapshot | LabelledSnapshot,
  ) => "snapshot" in h ? h : { snapshot: h });
  const all = list.map((h) => ({ s: h.snapshot, host: hostLabels(h) }));
  const lines: string[] = [];
  const family = (name: string, type: string, help: string) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const perHost = (
    name: string,
    type: string,
    help: string,
    read: (s: HostMetricsSnapshot) => number,
  ) => {
    family(name, type, help);
    for (const { s, host } of all) lines.push(`${name}{${host}} ${read(s)}`);
  };
  perHost(
    "actorcluster_host_messages_handled_total",
    "counter",
    "Messages handled on the host.",
    (s) => s.handled,
  );
  perHost(
    "actorcluster_host_messages_per_second",
    "gauge",
    "Messages handled per second, lately.",
    (s) => s.messagesPerSecond,
  );
  perHost(
    "actorcluster_host_mailbox_depth",
    "gauge",
    "User messages waiting on the host.",
    (s) => s.mailboxDepth,
  );
  perHost(
    "actorcluster_host_loop_lag_seconds",
    "gauge",
    "Longest event-loop delay since the last scrape.",
    (s) => s.loopLagMs / 1000,
  );
  family("actorcluster_dead_letters_total", "counter", "Dead letters, by reason.");
  for (const { s, host } of all) {
    for (const [reason, n] of Object.entries(s.deadLetters)) {
      lines.push(`actorcluster_dead_letters_total{${host},reason="${label(reason)}"} ${n}`);
    }
  }
  const traffic = all.filter(({ s }) => s.transport !== undefined);
  if (traffic.length > 0) {
    family("actorcluster_host_batches_total", "counter", "Batches sent and received.");
    for (const { s, host } of traffic) {
      const t = s.transport!;
      lines.push(`actorcluster_host_batches_total{${host},direction="sent"} ${t.batchesSent}`);
      lines.push(
        `actorcluster_host_batches_total{${host},direction="received"} ${t.batchesReceived}`,
      );
    }
  }
  const bytes = traffic.filter(({ s }) =>
    s.transport!.bytesSent !== undefined && s.transport!.bytesReceived !== undefined
  );
  if (bytes.length > 0) {
    family("actorcluster_host_bytes_total", "counter", "Bytes sent and received on NATS.");
    for (const { s, host } of bytes) {
      const t = s.transport!;
      lines.push(`actorcluster_host_bytes_total{${host},direction="sent"} ${t.bytesSent}`);
      lines.push(`actorcluster_host_bytes_total{${host},direction="received"} ${t.bytesReceived}`);
    }
  }
  const perType = (
    name: string,
    type: string,
    help: string,
    read: (m: ActorTypeMetrics) => number,
  ) => {
    family(name, type, help);
    for (const { s, host } of all) {
      for (const [actorType, m] of Object.entries(s.types)) {
        lines.push(`${name}{${host},type="${label(actorType)}"} ${read(m)}`);
      }
    }
  };
  perType("actorcluster_actors", "gauge", "Live actors, by type.", (m) => m.actors);
  perType(
    "actorcluster_messages_handled_total",
    "counter",
    "Messages handled by live actors, by type.",
    (m) => m.handled,
  );
  perType(
    "actorcluster_mailbox_depth",
    "gauge",
    "Messages waiting, by type.",
    (m) => m.mailboxDepth,
  );
  perType(
    "actorcluster_restarts_total",
    "counter",
    "Restarts of live actors, by type.",
    (m) => m.restarts,
  );
  family("actorcluster_handler_seconds", "histogram", "Handler turn times, by type.");
  for (const { s, host } of all) {
    for (const [actorType, m] of Object.entries(s.types)) {
      const turns = m.turns;
      if (turns === undefined) continue;
      const labels = `${host},type="${label(actorType)}"`;
      let cumulative = 0;
      TURN_BUCKETS_MS.forEach((bound, i) => {
        cumulative += turns.counts[i];
        lines.push(
          `actorcluster_handler_seconds_bucket{${labels},le="${bound / 1000}"} ${cumulative}`,
        );
      });
      lines.push(`actorcluster_handler_seconds_bucket{${labels},le="+Inf"} ${turns.count}`);
      lines.push(`actorcluster_handler_seconds_sum{${labels}} ${turns.sumMs / 1000}`);
      lines.push(`actorcluster_handler_seconds_count{${labels}} ${turns.count}`);
    }
  }
  return lines.join("\n") + "\n";
}
