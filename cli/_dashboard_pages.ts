/**
 * The dashboard's actor pages: `GET /actors?host=&type=&name=&status=&cursor=&limit=`
 * answers one page of `observer.inspectActors()` as JSON, so the page shows
 * the summaries by type first and loads actors only when asked, a page at a
 * time, however many a host has.
 *
 * @module
 */

import type { ClusterObserver } from "../cluster/observer.ts";
import { InvalidNameError, InvalidOptionError } from "../base/errors.ts";

/** Actors per page unless the page asks for another count. */
export const DASHBOARD_PAGE_LIMIT = 100;

/** The query parameters and the `ActorQuery` fields they fill. */
const PARAMS = { host: "hostId", type: "type", name: "name", status: "status" } as const;

/**
 * Answers one page request.
 *
 * @param observer Inspects the cluster.
 * @param url The request's URL.
 * @param timeoutMs How long each host may take.
 * @returns `200` with `{ actors, next, unanswered }`; `400` with the reason
 *   for a bad query (an unknown status, a bad limit or cursor); `502` when
 *   the inspection failed.
 */
export async function actorPageResponse(
  observer: ClusterObserver,
  url: URL,
  timeoutMs: number,
): Promise<Response> {
  const query: Record<string, string | number> = {};
  for (const [param, field] of Object.entries(PARAMS)) {
    const value = url.searchParams.get(param);
    if (value !== null && value !== "") query[field] = value;
  }
  const cursor = url.searchParams.get("cursor");
  if (cursor !== null && cursor !== "") query.cursor = cursor;
  const limit = url.searchParams.get("limit");
  query.limit = limit === null ? DASHBOARD_PAGE_LIMIT : Number(limit);
  try {
    const page = await observer.inspectActors({ ...query, timeoutMs, discoverMs: 300 });
    return Response.json({
      actors: page.actors,
      next: page.next ?? null,
      unanswered: page.unanswered,
    }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    const bad = InvalidOptionError.is(err) || InvalidNameError.is(err);
    return Response.json(
      { error: (err as Error).message },
      { status: bad ? 400 : 502, headers: { "cache-control": "no-store" } },
    );
  }
}
