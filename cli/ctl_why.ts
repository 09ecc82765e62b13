/**
 * `ctl why <actor>`: where an actor (by id or name) runs now and how it died
 * before, host-lost deaths included, from every host that answers. It pages:
 * the death records come with an inspection that lists no actors, and the
 * live actor is found by a page query (by name, or for an id the one page of
 * its host that starts at it), so a host with a million actors answers as
 * quickly as one with ten.
 *
 * @module
 */

import type { ClusterObserver } from "../cluster/observer.ts";
import type { ActorReport } from "../actors/observe/inspection.ts";
import type { ActorQuery } from "../actors/observe/actor_pages.ts";
import { actorId, type HostId, parseActorId } from "../actors/ids.ts";
import { whyText } from "../actors/observe/inspection_text.ts";
import { CtlError, positiveNumber, print, type Values } from "./_ctl_args.ts";
import { inspect } from "./_ctl_observe.ts";

/** The most live actors of one name listed (names are unique on a host, not across hosts). */
const MAX_NAMED = 100;

/**
 * Prints where `actor` runs and its death records.
 *
 * @param observer The connected observer.
 * @param values The parsed flags.
 * @param cluster The cluster's name, for the failure when no host answers.
 * @param actor The actor's id or name.
 * @throws {CtlError} When no host answered, or none knows the actor.
 */
export async function why(
  observer: ClusterObserver,
  values: Values,
  cluster: string,
  actor: string,
): Promise<void> {
  // Deaths only: the hosts heard here are the ones the page query asks next.
  const inspection = await inspect(observer, values, 1_000, cluster, 0);
  const live = await liveActors(observer, values, actor);
  const text = whyText({ ...inspection, actors: live }, actor);
  if (text === undefined) {
    throw new CtlError(
      `no actor '${actor}' is running or has a death record on any host that answered`,
    );
  }
  print(values, {
    live,
    deaths: inspection.deaths.filter((d) => d.actor.id === actor || d.actor.name === actor)
      .reverse(),
  }, text);
}

/** The live actors whose id or name is `actor`, from one page query. */
async function liveActors(
  observer: ClusterObserver,
  values: Values,
  actor: string,
): Promise<ActorReport[]> {
  const timing = {
    timeoutMs: positiveNumber(values, "timeout-ms", 2_000),
    discoverMs: positiveNumber(values, "discover-ms", 600),
  };
  // A name never holds '/' (ids.ts), so an id needs no name query (whose first page counts every actor).
  const id = parseActorId(actor);
  const query = id === undefined
    ? { name: actor, limit: MAX_NAMED }
    : pageStartingAt(id.host, id.sequence);
  let page;
  try {
    page = await observer.inspectActors({ ...query, ...timing });
  } catch (err) {
    // A name no query may carry (too long, say) names no actor either.
    if ((err as { code?: string }).code === "invalid_option") return [];
    throw err;
  }
  return page.actors.filter((a) => a.id === actor || a.name === actor);
}

/** The query of the one-actor page of `host` that starts at `sequence`. */
function pageStartingAt(host: HostId, sequence: number): ActorQuery {
  return sequence === 0
    ? { hostId: host, limit: 1 }
    : { hostId: host, limit: 1, cursor: actorId(host, sequence - 1) };
}
