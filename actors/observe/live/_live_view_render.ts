/**
 * How a live view of a system looks: a summary line, a table of its hosts
 * (state, actors, queued messages, messages per second, and a sparkline of
 * the recent rates) and a chart of every host's rate over the window.
 *
 * @module
 */

import { escapeHtml } from "../display.ts";
import type { HostReport } from "../inspection.ts";
import type { MimeBundle } from "./display_sink.ts";
import { formatNumber, seriesColour, svgLineChart, svgSparkline } from "./svg_chart.ts";

/** Why a live view ended: `stop()` was called, or its system shut down. */
export type LiveViewEnd = "stopped" | "system-shut-down";

/** What a live view knows at one moment. */
export interface LiveViewState {
  /** The title. */
  readonly title: string;
  /** How many samples were taken. */
  readonly samples: number;
  /** The hosts at the latest sample. */
  readonly hosts: readonly HostReport[];
  /** Each host's recent rates: `[seconds since the view started, messages per second]`. */
  readonly rates: ReadonlyMap<string, readonly (readonly [number, number])[]>;
  /** Why the latest sample failed, when it did. */
  readonly problem: string | undefined;
  /** Why the view stopped, once it did. */
  readonly stopped: LiveViewEnd | undefined;
}

/** The most hosts the table lists (the summary line and the chart count them all). */
const TABLE_MAX_HOSTS = 50;

const TABLE = "font-family:ui-monospace,monospace;font-size:12px;border-collapse:collapse";
const CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left";

function sum(hosts: readonly HostReport[], field: (h: HostReport) => number | undefined): number {
  return hosts.reduce((total, h) => total + (field(h) ?? 0), 0);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The one-line summary (also the `text/plain` of the view). */
export function liveViewLine(state: LiveViewState): string {
  const { hosts } = state;
  const rate = sum(hosts, (h) => h.messagesPerSecond);
  const figures = state.samples === 0
    ? "waiting for the first sample"
    : `${plural(hosts.length, "host")}, ${formatNumber(rate)} msg/s, ` +
      `${sum(hosts, (h) => h.queuedMessages)} queued, ` +
      `${plural(sum(hosts, (h) => h.actorCount), "actor")}`;
  const end = endText(state.stopped);
  const problem = state.problem === undefined ? "" : `; ${state.problem}`;
  return `${state.title}: ${figures} (${plural(state.samples, "sample")}${end})${problem}`;
}

function endText(end: LiveViewEnd | undefined): string {
  switch (end) {
    case undefined:
      return "";
    case "stopped":
      return ", stopped";
    case "system-shut-down":
      return ", stopped: the system shut down";
    default:
      return end satisfies never;
  }
}

function row(cells: readonly string[]): string {
  return `<tr>${cells.map((c) => `<td style="${CELL}">${c}</td>`).join("")}</tr>`;
}

function hostsTable(state: LiveViewState, colours: ReadonlyMap<string, string>): string {
  const header = ["host", "state", "actors", "queued", "msg/s", "recent msg/s"]
    .map((h) => `<th style="${CELL}">${h}</th>`).join("");
  const count = (n: number | undefined) => n === undefined ? "-" : String(n);
  const rows = state.hosts.slice(0, TABLE_MAX_HOSTS).map((h) =>
    row([
      `<span style="color:${colours.get(h.hostId) ?? "#333"}">■</span> ` +
      escapeHtml(h.self ? `${h.hostId} (this)` : h.hostId),
      escapeHtml(h.state),
      count(h.actorCount),
      count(h.queuedMessages),
      h.messagesPerSecond === undefined ? "-" : formatNumber(h.messagesPerSecond),
      svgSparkline((state.rates.get(h.hostId) ?? []).map(([, r]) => r), {
        colour: colours.get(h.hostId) ?? "#333",
        yMin: 0,
      }),
    ])
  ).join("");
  const more = state.hosts.length - TABLE_MAX_HOSTS;
  const tail = more > 0
    ? `<tr><td style="${CELL}" colspan="6">and ${more} more hosts</td></tr>`
    : "";
  return `<table style="${TABLE}"><thead><tr>${header}</tr></thead><tbody>${rows}${tail}</tbody>` +
    "</table>";
}

/** The view as a MIME bundle: the summary line, the hosts table and the rates chart. */
export function renderLiveView(state: LiveViewState): MimeBundle {
  const line = liveViewLine(state);
  const names = [...state.rates.keys()];
  const colours = new Map(names.map((name, i) => [name, seriesColour(i)]));
  const chart = svgLineChart(
    names.map((name) => ({ name, points: state.rates.get(name)! })),
    { title: "messages handled per second", xLabel: "s", yMin: 0, widthPx: 520, heightPx: 190 },
  );
  return {
    "text/plain": line,
    "text/html": `<div style="${TABLE}"><div><b>${escapeHtml(line)}</b></div>` +
      `${hostsTable(state, colours)}<div style="margin-top:4px">${chart}</div></div>`,
  };
}
