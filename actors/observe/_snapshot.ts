/**
 * One host's own part of an inspection, gathered in one pass over its
 * actors. Not part of the public API; `system.inspect()` is.
 *
 * @module
 */

import { codeVersionOf } from "../_registry.ts";
import type { Runtime } from "../runtime.ts";
import { ITEMS_PER_PAUSE, runAtOnce, runInSlices, type Steps } from "../../base/slices.ts";
import type { Cell } from "../cell.ts";
import type { DeadLetter } from "./dead_letters.ts";
import type { DeathRecord } from "./death_records.ts";
import { TypeTallies } from "./_tally.ts";
import type {
  ActorReport,
  DeadLetterReport,
  FailureReport,
  HostReport,
  HostSnapshot,
} from "./inspection.ts";

/** What the host adds that the runtime does not know. */
export interface HostContext {
  /** Its labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Its connection to the cluster. */
  readonly connection: HostReport["connection"];
  /** The id of a cell's supervisor on another host, if it has one. */
  readonly supervisorOf: (actorId: string) => string | undefined;
  /** The host of the program that owns a cell, if one elsewhere does. */
  readonly ownerOf?: (actorId: string) => string | undefined;
  /** What it refused from the wire so far, by reason. */
  readonly refused?: () => Readonly<Record<string, number>>;
}

/** The longest payload preview, in characters. */
const PREVIEW_CHARS = 120;

/**
 * Gathers this host's snapshot in slices, giving the event loop a turn
 * between them (a host with a million actors takes seconds). It is not one
 * instant: an actor spawned or stopped while it is taken may or may not be
 * listed, and `actorCount` is the count when it began.
 */
export function snapshotHostInSlices(
  runtime: Runtime,
  context: HostContext,
  recent: number,
  listLimit = Infinity,
): Promise<HostSnapshot> {
  return runInSlices(snapshotSteps(runtime, context, recent, listLimit));
}

/**
 * Gathers this host's snapshot at once, blocking the event loop for as long
 * as it takes (about a microsecond per actor): for displays, which must
 * answer synchronously. Everything else uses {@linkcode snapshotHostInSlices}.
 */
export function snapshotHost(
  runtime: Runtime,
  context: HostContext,
  recent: number,
  listLimit = Infinity,
): HostSnapshot {
  return runAtOnce(snapshotSteps(runtime, context, recent, listLimit));
}

function* snapshotSteps(
  runtime: Runtime,
  context: HostContext,
  recent: number,
  listLimit: number,
): Steps<HostSnapshot> {
  const actorCount = runtime.size;
  const load = yield* runtime.loadSteps();
  const actors: ActorReport[] = [];
  const tallies = new TypeTallies();
  let seen = 0;
  for (const cell of runtime.cells()) {
    tallies.add(cell);
    if (actors.length < listLimit) actors.push(actorReport(runtime, cell, context));
    if (++seen % ITEMS_PER_PAUSE === 0) yield;
  }
  const host: HostReport = {
    hostId: runtime.hostId,
    labels: context.labels,
    state: "alive",
    // A caller that asked for no actors (a host list) has no problem with none.
    problem: seen > actors.length && listLimit > 0
      ? `lists ${actors.length} of its ${seen} actors (page through all with ` +
        "system.inspectActors() or ctl actors)"
      : undefined,
    self: true,
    uptimeMs: runtime.clock.now() - runtime.startedAtMs,
    actorCount,
    queuedMessages: load.queuedMessages,
    messagesPerSecond: Math.round(load.messagesPerSecond * 10) / 10,
    connection: context.connection,
    loopLagMs: undefined,
    refused: context.refused?.(),
    entities: runtime.entities.counts(),
  };
  const deadLetters = runtime.deadLetters.recent(recent).reverse()
    .map((letter) => deadLetterReport(runtime.hostId, letter));
  const deaths = runtime.deaths.recent(recent);
  return { host, actors, deadLetters, deaths, summaries: tallies.summaries(runtime.hostId) };
}

/** One actor's report, as inspections and pages list it. */
export function actorReport(runtime: Runtime, cell: Cell, context: HostContext): ActorReport {
  return {
    id: cell.id,
    name: cell.name,
    type: cell.def.type,
    hostId: runtime.hostId,
    parentId: cell.parent?.id ?? context.supervisorOf(cell.id),
    status: cell.status,
    mailboxDepth: cell.queued,
    handled: cell.handled,
    restarts: cell.incarnation,
    lastFailure: lastFailure(runtime.deaths.of(cell.id)),
    ...optional("codeVersion", codeVersionOf(cell.def)),
    ...optional("ownerId", context.ownerOf?.(cell.id)),
  };
}

function lastFailure(records: readonly DeathRecord[]): FailureReport | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.kind === "error" || r.kind === "escalated" || r.kind === "host-lost") {
      return {
        kind: r.kind,
        error: r.error,
        messageName: r.messageName,
        timestampMs: r.timestampMs,
      };
    }
  }
  return undefined;
}

function deadLetterReport(hostId: string, letter: DeadLetter): DeadLetterReport {
  return {
    hostId,
    reason: letter.reason,
    targetId: letter.target.id,
    targetType: letter.target.type,
    messageName: letter.messageName,
    kind: letter.kind,
    payloadPreview: preview(letter.payload),
    error: letter.error,
    timestampMs: letter.timestampMs,
    ...(letter.count === undefined ? {} : { count: letter.count }),
  };
}

/** A short, safe description of any value (never throws, never long). */
export function preview(value: unknown): string {
  let text: string;
  if (value === undefined) text = "undefined";
  else if (typeof value === "bigint") text = `${value}n`;
  else if (typeof value === "function") text = "[function]";
  else if (ArrayBuffer.isView(value)) {
    text = `${value.constructor.name}(${value.byteLength} bytes)`;
  } else {
    try {
      text = JSON.stringify(value, (_key, v) => {
        if (typeof v === "bigint") return `${v}n`;
        if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.byteLength} bytes)`;
        return v;
      }) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

function optional<K extends string>(key: K, value: string | undefined): { [k in K]?: string } {
  return value === undefined ? {} : { [key]: value } as { [k in K]?: string };
}
