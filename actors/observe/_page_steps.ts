/**
 * One host's answer to a page request: its matching actors counted by type
 * (when asked) and the next page of them after a cursor, in one pass that
 * pauses every few hundred actors. Not part of the public API;
 * `system.inspectActors()` is.
 *
 * @module
 */

import type { Runtime } from "../runtime.ts";
import type { Cell } from "../cell.ts";
import type { ActorStatus } from "../ref.ts";
import { ITEMS_PER_PAUSE, runInSlices, SLICE_MS, type Steps } from "../../base/slices.ts";
import { actorReport, type HostContext } from "./_snapshot.ts";
import type { ActorReport } from "./inspection.ts";
import type { ActorTypeSummary, HostActorPage, HostActorQuery } from "./actor_pages.ts";

/**
 * Answers a page request in slices that yield to the event loop.
 *
 * @param runtime This host's runtime.
 * @param context What the host adds (supervisors elsewhere, owners).
 * @param query The checked query.
 * @param sliceMs How long a slice may run ({@linkcode SLICE_MS} unless given).
 * @returns The summaries (when asked) and the page.
 */
export function pageHostInSlices(
  runtime: Runtime,
  context: HostContext,
  query: HostActorQuery,
  sliceMs: number = SLICE_MS,
): Promise<HostActorPage> {
  return runInSlices(pageSteps(runtime, context, query), sliceMs);
}

interface Tally {
  count: number;
  statuses: Partial<Record<ActorStatus, number>>;
  mailboxDepth: number;
  maxMailboxDepth: number;
  handled: number;
  restarts: number;
}

function* pageSteps(
  runtime: Runtime,
  context: HostContext,
  query: HostActorQuery,
): Steps<HostActorPage> {
  const tallies = query.summary ? new Map<string, Tally>() : undefined;
  const actors: ActorReport[] = [];
  let more = false;
  let seen = 0;
  for (const cell of runtime.cells()) {
    if (++seen % ITEMS_PER_PAUSE === 0) yield;
    if (!matches(cell, query, context)) continue;
    if (tallies !== undefined) count(tallies, cell);
    if (cell.sequence <= query.afterSequence) continue;
    if (actors.length < query.limit) actors.push(actorReport(runtime, cell, context));
    else {
      more = true;
      // Without summaries to count, nothing after the page matters.
      if (tallies === undefined) break;
    }
  }
  const summaries = tallies === undefined ? undefined : [...tallies].map(
    ([type, t]): ActorTypeSummary => ({ hostId: runtime.hostId, type, ...t }),
  ).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { summaries, actors, more };
}

function matches(cell: Cell, query: HostActorQuery, context: HostContext): boolean {
  if (query.type !== undefined && cell.def.type !== query.type) return false;
  if (query.name !== undefined && cell.name !== query.name) return false;
  if (query.status !== undefined && cell.status !== query.status) return false;
  if (query.supervisor !== undefined) {
    const parentId = cell.parent?.id ?? context.supervisorOf(cell.id);
    if (parentId !== query.supervisor) return false;
  }
  return true;
}

function count(tallies: Map<string, Tally>, cell: Cell): void {
  let tally = tallies.get(cell.def.type);
  if (tally === undefined) {
    tally = {
      count: 0,
      statuses: {},
      mailboxDepth: 0,
      maxMailboxDepth: 0,
      handled: 0,
      restarts: 0,
    };
    tallies.set(cell.def.type, tally);
  }
  const queued = cell.queued;
  tally.count++;
  tally.statuses[cell.status] = (tally.statuses[cell.status] ?? 0) + 1;
  tally.mailboxDepth += queued;
  if (queued > tally.maxMailboxDepth) tally.maxMailboxDepth = queued;
  tally.handled += cell.handled;
  tally.restarts += cell.incarnation;
}
