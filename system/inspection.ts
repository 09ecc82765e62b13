/**
 * `system.inspect()` and `system.inspectActors()`: the options checked here,
 * before any host is asked, so that a bad one fails at once with a typed
 * error instead of as many errors as there are hosts.
 *
 * @module
 */

import type { Hosts } from "./hosts.ts";
import type { Inspection, InspectOptions } from "../actors/observe/inspection.ts";
import type { ActorPage, InspectActorsOptions } from "../actors/observe/actor_pages.ts";
import { inspectionBundle, withDisplay } from "../actors/observe/display.ts";
import { InvalidOptionError } from "../base/errors.ts";
import {
  DEFAULT_ACTORS_PER_HOST,
  DEFAULT_INSPECT_RECENT,
  DEFAULT_INSPECT_TIMEOUT_MS,
  positiveMs,
} from "./options.ts";

/**
 * An inspection of this host or of every host, as `options` asks, shown as
 * a table in a notebook.
 *
 * @throws {InvalidOptionError} For a bad option.
 */
export async function inspect(hosts: Hosts, options: InspectOptions): Promise<Inspection> {
  const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, DEFAULT_INSPECT_TIMEOUT_MS);
  const recent = options.recent ?? DEFAULT_INSPECT_RECENT;
  if (!Number.isInteger(recent) || recent < 0) {
    throw new InvalidOptionError("recent", recent, "a non-negative integer");
  }
  const scope = options.scope ?? hosts.defaultScope;
  if (scope !== "host" && scope !== "cluster") {
    throw new InvalidOptionError("scope", scope, `"host" or "cluster"`);
  }
  const actorsPerHost = options.actorsPerHost ?? DEFAULT_ACTORS_PER_HOST;
  if (actorsPerHost !== Infinity && (!Number.isInteger(actorsPerHost) || actorsPerHost < 0)) {
    throw new InvalidOptionError(
      "actorsPerHost",
      actorsPerHost,
      "a whole number >= 0, or Infinity",
    );
  }
  const inspection = await hosts.inspect(scope, recent, timeoutMs, actorsPerHost);
  return withDisplay(inspection, () => inspectionBundle(inspection));
}

/**
 * One page of actors, as `options` asks (the query itself is checked
 * where it is answered).
 *
 * @throws {InvalidOptionError} When `timeoutMs` is not a positive number.
 */
export async function inspectActors(
  hosts: Hosts,
  options: InspectActorsOptions,
): Promise<ActorPage> {
  const { timeoutMs: asked, ...query } = options;
  const timeoutMs = positiveMs("timeoutMs", asked, DEFAULT_INSPECT_TIMEOUT_MS);
  return await hosts.inspectActors(query, timeoutMs);
}
