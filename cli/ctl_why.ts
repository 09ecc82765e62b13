/**
 * `ctl why <actor>`: where an actor (by id or name) runs now and how it died
 * before, host-lost deaths included, from every host that answers.
 *
 * @module
 */

import type { ClusterObserver } from "../cluster/observer.ts";
import { whyText } from "../actors/observe/inspection_text.ts";
import { CtlError, print, type Values } from "./_ctl_args.ts";
import { inspect } from "./_ctl_observe.ts";

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
  // A live actor may be anywhere in its host's list.
  const inspection = await inspect(observer, values, 1_000, cluster, Infinity);
  const text = whyText(inspection, actor);
  if (text === undefined) {
    throw new CtlError(
      `no actor '${actor}' is running or has a death record on any host that answered`,
    );
  }
  print(values, {
    live: inspection.actors.filter((a) => a.id === actor || a.name === actor),
    deaths: inspection.deaths.filter((d) => d.actor.id === actor || d.actor.name === actor)
      .reverse(),
  }, text);
}
