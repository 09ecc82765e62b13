/**
 * `ctl top`: a live terminal view of the busiest hosts and actors,
 * refreshed every interval; `q` or Ctrl-C quits and restores the terminal.
 *
 * @module
 */

import type { ActorReport, Inspection } from "../actors/observe/inspection.ts";
import { hostsText, table } from "../actors/observe/inspection_text.ts";

/** How often to refresh and how many actors to show. */
export interface TopOptions {
  /** Between refreshes, in milliseconds. */
  readonly intervalMs: number;
  /** The most actors listed. */
  readonly limit: number;
}

const CLEAR = "\x1b[2J\x1b[H";
const CTRL_C = 3;
const Q = "q".charCodeAt(0);

/** Renders one frame; `rates` holds each actor's messages per second since the last frame. */
export function topFrame(
  inspection: Inspection,
  rates: ReadonlyMap<string, number>,
  limit: number,
): string {
  const busiest = [...inspection.actors].sort((a, b) =>
    (rates.get(b.id) ?? 0) - (rates.get(a.id) ?? 0) || b.mailboxDepth - a.mailboxDepth ||
    b.handled - a.handled
  ).slice(0, limit);
  const hosts = [...inspection.hosts].sort((a, b) =>
    (b.messagesPerSecond ?? -1) - (a.messagesPerSecond ?? -1)
  );
  const row = (a: ActorReport) => [
    a.name ?? a.id,
    a.type,
    a.hostId,
    String(Math.round(rates.get(a.id) ?? 0)),
    String(a.mailboxDepth),
    String(a.handled),
    String(a.restarts),
    a.status,
  ];
  return [
    `ctl top  ${new Date(inspection.takenAtMs).toISOString().slice(11, 19)}  ` +
    `${inspection.hosts.length} hosts, ${inspection.actors.length} actors  (q quits)`,
    "",
    hostsText(hosts),
    "",
    table(
      ["ACTOR", "TYPE", "HOST", "MSG/S", "MAILBOX", "HANDLED", "RESTARTS", "STATUS"],
      busiest.map(row),
    ),
  ].join("\n");
}

/** Runs the live view until `q`, Ctrl-C or SIGINT. */
export async function runTop(fetch: () => Promise<Inspection>, options: TopOptions): Promise<void> {
  const quit = Promise.withResolvers<void>();
  const raw = Deno.stdin.isTerminal();
  if (raw) Deno.stdin.setRaw(true);
  const onSignal = () => quit.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  void (async () => {
    const buffer = new Uint8Array(64);
    for (;;) {
      const n = await Deno.stdin.read(buffer).catch(() => null);
      if (n === null) return; // no input (closed): only a signal ends it
      if (buffer.subarray(0, n).some((b) => b === Q || b === CTRL_C)) return quit.resolve();
    }
  })();
  const encoder = new TextEncoder();
  let previous: { atMs: number; handled: Map<string, number> } | undefined;
  try {
    for (;;) {
      const inspection = await fetch();
      const handled = new Map(inspection.actors.map((a) => [a.id, a.handled]));
      const rates = new Map<string, number>();
      if (previous !== undefined) {
        const seconds = Math.max(0.001, (inspection.takenAtMs - previous.atMs) / 1_000);
        for (const [id, count] of handled) {
          rates.set(id, Math.max(0, count - (previous.handled.get(id) ?? count)) / seconds);
        }
      }
      previous = { atMs: inspection.takenAtMs, handled };
      const frame = topFrame(inspection, rates, options.limit).replaceAll("\n", "\r\n");
      await Deno.stdout.write(encoder.encode(`${CLEAR}${frame}\r\n`));
      const next = await Promise.race([
        new Promise<"tick">((resolve) => setTimeout(() => resolve("tick"), options.intervalMs)),
        quit.promise.then(() => "quit" as const),
      ]);
      if (next === "quit") return;
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    if (raw) Deno.stdin.setRaw(false);
    await Deno.stdout.write(encoder.encode("\r\n"));
  }
}
