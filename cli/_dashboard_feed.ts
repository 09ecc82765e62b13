/**
 * What the dashboard page receives, once per interval: the cluster's
 * inspection cut down to what the page shows, each death and dead letter
 * with its `why` in words, and every host's rate over the last minutes
 * (kept here, so a page opened late still draws the past).
 *
 * @module
 */

import type { Inspection } from "../actors/observe/inspection.ts";
import { deathWords } from "../actors/observe/death_words.ts";

/** How much rate history is kept per host. */
export const HISTORY_MS = 5 * 60_000;

/** One frame of the feed, as the page reads it (JSON). */
export interface DashboardFrame {
  readonly takenAtMs: number;
  readonly hosts: Inspection["hosts"];
  /** The first actors of each host (the page lists at most 500). */
  readonly actors: Inspection["actors"];
  /** Every actor counted by host and type. */
  readonly summaries: Inspection["summaries"];
  readonly tree: Inspection["tree"];
  readonly deadLetters: readonly (Inspection["deadLetters"][number] & { readonly why: string })[];
  readonly deaths: readonly {
    readonly key: string;
    readonly actorId: string;
    readonly actorName: string | undefined;
    readonly type: string;
    readonly hostId: string;
    readonly kind: string;
    readonly outcome: string;
    readonly timestampMs: number;
    readonly why: string;
  }[];
  /** Per host: `[timestampMs, messagesPerSecond]` pairs, oldest first. */
  readonly rates: Readonly<Record<string, readonly (readonly [number, number])[]>>;
}

/** Turns inspections into frames, keeping the rate history between them. */
export class DashboardFeed {
  readonly #rates = new Map<string, [number, number][]>();

  /** The frame of one inspection. */
  frame(inspection: Inspection): DashboardFrame {
    const now = inspection.takenAtMs;
    for (const host of inspection.hosts) {
      const series = this.#rates.get(host.hostId) ?? [];
      series.push([now, host.messagesPerSecond ?? 0]);
      while (series.length > 0 && series[0][0] < now - HISTORY_MS) series.shift();
      this.#rates.set(host.hostId, series);
    }
    return {
      takenAtMs: now,
      hosts: inspection.hosts,
      actors: inspection.actors,
      summaries: inspection.summaries,
      tree: inspection.tree,
      deadLetters: inspection.deadLetters.map((letter) => ({
        ...letter,
        why: letter.error === undefined
          ? letter.reason
          : `${letter.reason}: ${letter.error.name}: ${letter.error.message}`,
      })),
      deaths: inspection.deaths.map((d) => ({
        key: `${d.hostId} ${d.actor.id} ${d.timestampMs} ${d.restartCount}`,
        actorId: d.actor.id,
        actorName: d.actor.name,
        type: d.actor.type,
        hostId: d.hostId,
        kind: d.kind,
        outcome: d.outcome ?? "stopped",
        timestampMs: d.timestampMs,
        why: deathWords(d),
      })),
      rates: Object.fromEntries(this.#rates),
    };
  }
}
