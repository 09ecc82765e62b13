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
import { ITEMS_PER_PAUSE, runInSlices, SLICE_MS, type Steps } from "../../base/slices.ts";
import { actorReport, type HostContext } from "./_snapshot.ts";
import type { ActorReport } from "./inspection.ts";
import type { HostActorPage, HostActorQuery } from "./actor_pages.ts";
import { TypeTallies } from "./_tally.ts";

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

function* pageSteps(
  runtime: Runtime,
  context: HostContext,
  query: HostActorQuery,
): Steps<HostActorPage> {
  const tallies = query.summary ? new TypeTallies() : undefined;
  const actors: ActorReport[] = [];
  let more = false;
  let seen = 0;
  // Summaries count every match; a page alone starts after its cursor.
  const cells = tallies === undefined ? runtime.cellsAfter(query.afterSequence) : runtime.cells();
  for (const cell of cells) {
    if (++seen % ITEMS_PER_PAUSE === 0) yield;
    if (!matches(cell, query, context)) continue;
    tallies?.add(cell);
    if (cell.sequence <= query.afterSequence) continue;
    if (actors.length < query.limit) actors.push(actorReport(runtime, cell, context));
    else {
      more = true;
      // Without summaries to count, nothing after the page matters.
      if (tallies === undefined) break;
    }
  }
  return { summaries: tallies?.summaries(runtime.hostId), actors, more };
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
