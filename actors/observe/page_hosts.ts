/**
 * A page across hosts: hosts in id order, each asked for what the page
 * still has room for, from the cursor on. The cursor is the id of the last
 * actor listed (`<hostId>/<sequence>`), so it names both the host and the
 * place on it. Not part of the public API; `system.inspectActors()` is.
 *
 * @module
 */

import { InvalidOptionError } from "../../base/errors.ts";
import { parseActorId } from "../ids.ts";
import {
  type ActorPage,
  type ActorQuery,
  type ActorTypeSummary,
  checkActorQuery,
  type HostActorPage,
  type HostActorQuery,
  type UnansweredHost,
} from "./actor_pages.ts";
import type { ActorReport } from "./inspection.ts";

/** The hosts a page may visit, and how to ask one. */
export interface PageSources {
  /** Every host that may hold actors (lost and departed ones left out). */
  readonly hostIds: readonly string[];
  /** Asks one host; rejects when it does not answer. */
  readonly ask: (hostId: string, query: HostActorQuery) => Promise<HostActorPage>;
  /** The inspecting host's clock. */
  readonly nowMs: () => number;
}

/**
 * Takes one page: on a first page, every host's summaries at once, then the
 * actors host after host until the page is full.
 *
 * @throws {InvalidOptionError} For a bad query or a cursor that is not an actor id.
 */
export async function pageAcrossHosts(sources: PageSources, query: ActorQuery): Promise<ActorPage> {
  const limit = checkActorQuery(query);
  const start = query.cursor === undefined ? undefined : parseActorId(query.cursor);
  if (query.cursor !== undefined && start === undefined) {
    throw new InvalidOptionError("cursor", query.cursor, "the `next` of an earlier page");
  }
  const filters = {
    type: query.type,
    name: query.name,
    status: query.status,
    supervisor: query.supervisor,
  };
  const hostIds = [...sources.hostIds]
    .filter((id) => query.hostId === undefined || id === query.hostId)
    .filter((id) => start === undefined || id >= start.host)
    .sort();
  const unanswered: UnansweredHost[] = [];
  const problem = (hostId: string) => (err: Error) =>
    void unanswered.push({ hostId, problem: `${err.name}: ${err.message}` });
  let summaries: ActorTypeSummary[] | undefined;
  if (start === undefined) {
    const all = await Promise.all(
      hostIds.map((hostId) =>
        sources.ask(hostId, { ...filters, afterSequence: -1, limit: 0, summary: true }).then(
          (page) => page.summaries ?? [],
          (err: Error) => (problem(hostId)(err), [] as ActorTypeSummary[]),
        )
      ),
    );
    summaries = all.flat();
  }
  const actors: ActorReport[] = [];
  let next: string | undefined;
  for (let i = 0; i < hostIds.length; i++) {
    const hostId = hostIds[i];
    if (actors.length === limit) {
      // Full at a host's end: the next page goes on after its last actor, on the hosts after it.
      next = actors[actors.length - 1].id;
      break;
    }
    if (summaries !== undefined && !summaries.some((s) => s.hostId === hostId)) continue;
    const afterSequence = start !== undefined && start.host === hostId ? start.sequence : -1;
    let page: HostActorPage;
    try {
      page = await sources.ask(hostId, {
        ...filters,
        afterSequence,
        limit: limit - actors.length,
        summary: false,
      });
    } catch (err) {
      if (!unanswered.some((u) => u.hostId === hostId)) problem(hostId)(err as Error);
      continue;
    }
    actors.push(...page.actors);
    if (page.more) {
      next = actors[actors.length - 1].id;
      break;
    }
  }
  return {
    takenAtMs: sources.nowMs(),
    summaries,
    actors,
    next,
    unanswered: unanswered.sort((a, b) => (a.hostId < b.hostId ? -1 : 1)),
  };
}
