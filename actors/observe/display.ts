/**
 * Rich display in notebooks: a system, a ref, an inspection (with its
 * supervision tree) and death records show as HTML in Jupyter, with a
 * plain-text version beside it for every other frontend. Deno's kernel calls
 * an object's `Symbol.for("Jupyter.display")` method; nothing here touches
 * `Deno.jupyter`, so the same objects print normally in scripts.
 *
 * @module
 */

import type { DeathRecord } from "./death_records.ts";
import type { ActorStats } from "../ref.ts";
import type { ActorReport, Inspection, TreeNode } from "./inspection.ts";
import {
  deathText,
  entitiesText,
  failureText,
  hostsText,
  stateText,
  treeText,
} from "./inspection_text.ts";

/** The key of the method Deno's Jupyter kernel calls to display an object. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A Jupyter MIME bundle. */
export interface DisplayBundle {
  /** The plain-text version. */
  readonly "text/plain": string;
  /** The HTML version. */
  readonly "text/html": string;
}

/** Something a notebook displays richly. */
export interface Displayable {
  /** Returns the MIME bundle. */
  [JUPYTER_DISPLAY](): DisplayBundle;
}

const STYLE = "font-family:ui-monospace,monospace;font-size:12px;border-collapse:collapse";
const CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left";

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

function htmlTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = header.map((h) => `<th style="${CELL}">${escapeHtml(h)}</th>`).join("");
  const trs = rows.map((r) =>
    `<tr>${r.map((c) => `<td style="${CELL}">${escapeHtml(c)}</td>`).join("")}</tr>`
  ).join("");
  return `<table style="${STYLE}"><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

const STATUS_COLOUR: Record<string, string> = {
  running: "#2a7",
  starting: "#27a",
  suspended: "#c80",
  stopping: "#a55",
  stopped: "#999",
};

function actorLabel(a: ActorReport): string {
  const colour = STATUS_COLOUR[a.status] ?? "#333";
  const failure = failureText(a);
  return `<span style="color:${colour}">●</span> <b>${escapeHtml(a.name ?? a.id)}</b> ` +
    `<span style="color:#666">${escapeHtml(a.type)} on ${escapeHtml(a.hostId)}` +
    `${a.name === undefined ? "" : ` · ${escapeHtml(a.id)}`}` +
    `${a.restarts > 0 ? ` · ${a.restarts} restart${a.restarts === 1 ? "" : "s"}` : ""}` +
    `${a.mailboxDepth > 0 ? ` · ${a.mailboxDepth} queued` : ""}</span>` +
    (failure === "" ? "" : ` <span style="color:#b33">${escapeHtml(failure)}</span>`);
}

/** The supervision trees as nested HTML lists. */
export function treeHtml(tree: readonly TreeNode[]): string {
  if (tree.length === 0) return "<i>no actors</i>";
  const list = (nodes: readonly TreeNode[]): string =>
    `<ul style="list-style:none;padding-left:1.2em;margin:0;${STYLE}">${
      nodes.map((n) =>
        `<li>${actorLabel(n.actor)}${n.children.length === 0 ? "" : list(n.children)}</li>`
      ).join("")
    }</ul>`;
  return list(tree);
}

/** Death records (newest first) as an HTML table. */
export function deathsHtml(records: readonly DeathRecord[]): string {
  if (records.length === 0) return "<i>no death records</i>";
  return htmlTable(
    ["time", "actor", "host", "kind", "outcome", "message", "error"],
    records.map((r) => [
      new Date(r.timestampMs).toISOString().slice(11, 23),
      r.actor.name ?? r.actor.id,
      r.hostId,
      r.kind,
      `${r.outcome} (${r.restartCount} before)`,
      r.messageName ?? "",
      r.error === undefined ? "" : `${r.error.name}: ${r.error.message}`,
    ]),
  );
}

/** An inspection as a MIME bundle: hosts, the tree, recent deaths. */
export function inspectionBundle(inspection: Inspection): DisplayBundle {
  const hosts = htmlTable(
    ["host", "state", "actors", "entities", "queued", "msg/s", "connection", "labels / problem"],
    inspection.hosts.map((h) => [
      h.self ? `${h.hostId} (this)` : h.hostId,
      stateText(h),
      h.actorCount === undefined ? "-" : String(h.actorCount),
      entitiesText(h.entities),
      h.queuedMessages === undefined ? "-" : String(h.queuedMessages),
      h.messagesPerSecond === undefined ? "-" : String(Math.round(h.messagesPerSecond)),
      h.connection ?? "-",
      h.problem ?? Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(","),
    ]),
  );
  const deaths = inspection.deaths.slice(0, 10);
  return {
    "text/plain": [
      hostsText(inspection.hosts),
      "",
      treeText(inspection.tree),
      ...(deaths.length === 0 ? [] : ["", "Recent deaths:", ...deaths.map(deathText)]),
    ].join("\n"),
    "text/html":
      `<div><b>${inspection.hosts.length} host(s), ${inspection.actors.length} actor(s)` +
      `</b>${hosts}<div style="margin-top:6px"><b>Supervision</b>${
        treeHtml(inspection.tree)
      }</div>` +
      (deaths.length === 0
        ? ""
        : `<div style="margin-top:6px"><b>Recent deaths</b>${deathsHtml(deaths)}</div>`) +
      "</div>",
  };
}

/** Death records as a MIME bundle (the newest first). */
export function deathsBundle(records: readonly DeathRecord[]): DisplayBundle {
  return {
    "text/plain": records.length === 0 ? "no death records" : records.map(deathText).join("\n"),
    "text/html": deathsHtml(records),
  };
}

/** A local actor's counters as a MIME bundle. */
export function statsBundle(stats: ActorStats, hostId: string): DisplayBundle {
  const rows: [string, string][] = [
    ["id", stats.id],
    ["name", stats.name ?? "-"],
    ["type", stats.type],
    ["host", hostId],
    ["status", stats.status],
    ["mailbox", `${stats.mailbox.depth} queued (${mailboxLimits(stats.mailbox)})`],
    ["handled", String(stats.handled)],
    ["restarts", String(stats.restarts)],
    ["children", String(stats.children)],
  ];
  return {
    "text/plain": rows.map(([k, v]) => `${k}: ${v}`).join("\n"),
    "text/html": htmlTable(["actor", stats.name ?? stats.id], rows),
  };
}

/** Attaches a display method to a plain object without making it enumerable (JSON stays the same). */
export function withDisplay<T extends object>(
  value: T,
  bundle: () => DisplayBundle,
): T & Displayable {
  Object.defineProperty(value, JUPYTER_DISPLAY, { value: bundle, enumerable: false });
  return value as T & Displayable;
}

/**
 * Wraps death records (one or several) for display in a notebook:
 * `showDeaths(system.deaths.of(ref))` as a cell's last expression renders a
 * table; `String(...)` gives the text.
 */
export function showDeaths(records: DeathRecord | readonly DeathRecord[] | undefined): Displayable {
  const list = records === undefined
    ? []
    : Array.isArray(records)
    ? [...records]
    : [records as DeathRecord];
  const sorted = list.sort((a, b) => b.timestampMs - a.timestampMs);
  const bundle = deathsBundle(sorted);
  return { [JUPYTER_DISPLAY]: () => bundle, toString: () => bundle["text/plain"] } as Displayable;
}

/** "unbounded", or the limits of a bounded mailbox: "bounded: 1048576 messages, 268435456 bytes". */
function mailboxLimits(mailbox: ActorStats["mailbox"]): string {
  if (mailbox.kind !== "bounded") return mailbox.kind;
  const bytes = mailbox.maxBytes === undefined ? "" : `, ${mailbox.maxBytes} bytes`;
  return `bounded: ${mailbox.capacity} messages${bytes}, ${mailbox.overflow ?? "reject"}`;
}
