/**
 * Plain-text views of an inspection: tables of hosts, actors and dead
 * letters, the supervision tree, and one actor's history. The `ctl` command
 * line prints them, and notebooks fall back to them.
 *
 * @module
 */

import type { DeathRecord } from "./death_records.ts";
import type {
  ActorReport,
  DeadLetterReport,
  HostReport,
  Inspection,
  TreeNode,
} from "./inspection.ts";

/** Lays out rows under a header, each column as wide as its widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** A duration for people: `850ms`, `12s`, `3m20s`, `5h02m`, `2d04h`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86_400) {
    return `${Math.floor(s / 3_600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
  }
  return `${Math.floor(s / 86_400)}d${String(Math.floor(s / 3_600) % 24).padStart(2, "0")}h`;
}

const num = (value: number | undefined) => (value === undefined ? "-" : String(value));

/** A host's state, with its loop's lag when it is busy: `busy (lag 2.3 s)`. */
export function stateText(host: HostReport): string {
  if (host.state !== "busy" || host.loopLagMs === undefined) return host.state;
  const lag = host.loopLagMs >= 1_000
    ? `${(host.loopLagMs / 1_000).toFixed(1)} s`
    : `${Math.round(host.loopLagMs)} ms`;
  return `busy (lag ${lag})`;
}

/** The hosts as a table. */
export function hostsText(hosts: readonly HostReport[]): string {
  return table(
    [
      "HOST",
      "STATE",
      "UPTIME",
      "ACTORS",
      "ENTITIES",
      "QUEUED",
      "MSG/S",
      "CONNECTION",
      "REFUSED",
      "LABELS / PROBLEM",
    ],
    hosts.map((h) => [
      h.self ? `${h.hostId} *` : h.hostId,
      stateText(h),
      duration(h.uptimeMs),
      num(h.actorCount),
      entitiesText(h.entities),
      num(h.queuedMessages),
      h.messagesPerSecond === undefined ? "-" : String(Math.round(h.messagesPerSecond)),
      h.connection ?? "-",
      refusedText(h.refused),
      h.problem ?? Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(","),
    ]),
  );
}

/** A host's entities: resident, then activations and passivations since it started. */
export function entitiesText(
  counts: { resident: number; activations: number; passivations: number } | undefined,
): string {
  return counts === undefined || counts.activations === 0
    ? "-"
    : `${counts.resident} (+${counts.activations} -${counts.passivations})`;
}

/** Refusals by reason, most frequent first: `3 undecodable, 1 sender-mismatch`; `-` for none. */
function refusedText(refused: HostReport["refused"]): string {
  const entries = Object.entries(refused ?? {}).filter(([, n]) => n > 0);
  if (entries.length === 0) return "-";
  return entries.sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n} ${reason}`).join(", ");
}

/** One line about an actor's last failure. */
export function failureText(actor: ActorReport): string {
  const f = actor.lastFailure;
  if (f === undefined) return "";
  const what = f.error === undefined ? f.kind : `${f.error.name}: ${f.error.message}`;
  return f.messageName === undefined ? what : `${what} (in '${f.messageName}')`;
}

/** The actors as a table. */
export function actorsText(actors: readonly ActorReport[]): string {
  return table(
    [
      "ID",
      "NAME",
      "TYPE",
      "HOST",
      "PARENT",
      "STATUS",
      "MAILBOX",
      "HANDLED",
      "RESTARTS",
      "LAST FAILURE",
      "CODE",
    ],
    actors.map((a) => [
      a.id,
      a.name ?? "-",
      a.type,
      a.hostId,
      a.parentId ?? "-",
      a.status,
      String(a.mailboxDepth),
      String(a.handled),
      String(a.restarts),
      failureText(a),
      a.codeVersion ?? "-",
    ]),
  );
}

/** The supervision trees, one actor per line, children indented. */
export function treeText(tree: readonly TreeNode[]): string {
  const lines: string[] = [];
  const walk = (node: TreeNode, prefix: string, last: boolean, top: boolean) => {
    const a = node.actor;
    const label = `${a.name ?? a.id} (${a.type}) on ${a.hostId}` +
      (a.name === undefined ? "" : ` [${a.id}]`) +
      (a.status === "running" ? "" : ` ${a.status}`) +
      (a.restarts > 0 ? `, ${a.restarts} restart${a.restarts === 1 ? "" : "s"}` : "");
    lines.push(top ? label : `${prefix}${last ? "└─ " : "├─ "}${label}`);
    const childPrefix = top ? "" : `${prefix}${last ? "   " : "│  "}`;
    node.children.forEach((c, i) => walk(c, childPrefix, i === node.children.length - 1, false));
  };
  for (const root of tree) walk(root, "", true, true);
  return lines.length === 0 ? "(no actors)" : lines.join("\n");
}

/** The dead letters as a table, newest first. */
export function deadLettersText(letters: readonly DeadLetterReport[]): string {
  return table(
    ["TIME", "HOST", "REASON", "TARGET", "MESSAGE", "PAYLOAD", "ERROR"],
    letters.map((l) => [
      new Date(l.timestampMs).toISOString().slice(11, 23),
      l.hostId,
      l.reason,
      l.targetType === "unknown" ? l.targetId : `${l.targetId} (${l.targetType})`,
      l.count === undefined
        ? `${l.kind} ${l.messageName}`
        : `${l.count} ${l.kind}s ${l.messageName}`,
      l.payloadPreview,
      l.error === undefined ? "" : `${l.error.name}: ${l.error.message}`,
    ]),
  );
}

/** One death record as a paragraph. */
export function deathText(record: DeathRecord): string {
  const who = record.actor.name === undefined
    ? record.actor.id
    : `${record.actor.name} (${record.actor.id})`;
  const lines = [
    `${
      new Date(record.timestampMs).toISOString()
    }  ${who}, ${record.actor.type}, on ${record.hostId}: ` +
    `${record.kind}, ${record.outcome === "restarted" ? "restarted" : "stopped for good"}` +
    ` after ${record.restartCount} restart${record.restartCount === 1 ? "" : "s"}`,
  ];
  if (record.parent !== undefined) {
    lines.push(`  supervised by ${record.parent.name ?? record.parent.id}`);
  }
  if (record.messageName !== undefined) lines.push(`  while handling '${record.messageName}'`);
  if (record.owner !== undefined) {
    lines.push(
      `  the program that spawned it, on host ${record.owner.hostId}, ` +
        (record.owner.how === "left" ? "ended" : "was declared lost") +
        " (spawn with detached: true to outlive it)",
    );
  }
  if (record.escalatedFrom !== undefined) {
    lines.push(`  escalated from child '${record.escalatedFrom}'`);
  }
  if (record.error !== undefined) {
    lines.push(`  ${record.error.name}: ${record.error.message}`);
    const frames = record.error.stack?.split("\n").slice(1, 4) ?? [];
    for (const frame of frames) lines.push(`    ${frame.trim()}`);
  }
  if (record.forced) lines.push("  cut off at its stop timeout");
  if (record.stopHookError !== undefined) {
    lines.push(`  onStop threw ${record.stopHookError.name}: ${record.stopHookError.message}`);
  }
  return lines.join("\n");
}

/**
 * Everything known about one actor (by id or name): where it runs now, and
 * its death records oldest first; `undefined` when nothing is known.
 */
export function whyText(inspection: Inspection, actor: string): string | undefined {
  const live = inspection.actors.filter((a) => a.id === actor || a.name === actor);
  const deaths = inspection.deaths
    .filter((d) => d.actor.id === actor || d.actor.name === actor)
    .sort((a, b) => a.timestampMs - b.timestampMs);
  if (live.length === 0 && deaths.length === 0) return undefined;
  const parts: string[] = [];
  for (const a of live) {
    parts.push(
      `${a.name ?? a.id} (${a.type}) runs on ${a.hostId} as ${a.id}: ${a.status}, ` +
        `${a.restarts} restart${a.restarts === 1 ? "" : "s"}, ${a.handled} messages handled, ` +
        `${a.mailboxDepth} waiting` +
        (a.lastFailure === undefined ? "" : `; last failure: ${failureText(a)}`),
    );
  }
  if (live.length === 0) parts.push(`${actor} is not running on any host that answered.`);
  parts.push(
    deaths.length === 0
      ? "No death records."
      : `Death records, oldest first:\n${deaths.map(deathText).join("\n")}`,
  );
  return parts.join("\n");
}
