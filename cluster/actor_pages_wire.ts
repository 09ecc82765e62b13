/**
 * Pages of actors over the wire: a request to one host's `actors` control
 * subject and its answer (docs/PROTOCOL.md, "Pages of actors"). The host
 * checks every field of a request against fixed bounds and answers a bad
 * one with a typed error; an answer always fits one message, with fewer
 * actors (and `more: true`) when a page of large reports would not.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import { type HostActorPage, type HostActorQuery, hostQueryToWire } from "../actors/internal.ts";
import { packValue, rebuildError, unpackValue } from "./codec.ts";

/**
 * Asks one host for a page of its actors (and its summaries, when the
 * query asks for them).
 *
 * @throws {RequestTimeoutError} When it does not answer in time.
 * @throws {InvalidOptionError} When it refuses the query.
 * @throws When it answers with another error or something undecodable.
 */
export async function requestActorPage(
  transport: Transport,
  subjects: Subjects,
  hostId: string,
  query: HostActorQuery,
  timeoutMs: number,
): Promise<HostActorPage> {
  const answer = unpackValue(
    await transport.request(
      subjects.control(hostId, "actors"),
      packValue(hostQueryToWire(query)),
      timeoutMs,
    ),
    () => undefined,
  ) as
    | { ok: true; page: HostActorPage }
    | { ok: false; error: { name: string; message: string; code?: string } }
    | undefined;
  if (answer === undefined || answer === null || typeof answer !== "object") {
    throw new Error(`host ${hostId} gave an undecodable answer`);
  }
  if (!answer.ok) throw rebuildError(answer.error, hostId);
  const page = answer.page;
  if (page === null || typeof page !== "object" || !Array.isArray(page.actors)) {
    throw new Error(`host ${hostId} gave an answer without a page`);
  }
  return { summaries: page.summaries, actors: page.actors, more: page.more === true };
}

/**
 * Encodes the answer to a page request, `{ ok: true, page }`, within
 * `limitBytes`: when the page's reports do not fit (long errors in their
 * last failures), it keeps the first ones that do and says `more`.
 *
 * @param page This host's page.
 * @param limitBytes The largest answer, in bytes.
 * @returns The encoded answer.
 */
export function packActorPageAnswer(page: HostActorPage, limitBytes: number): Uint8Array {
  let keep = page.actors.length;
  for (;;) {
    const kept = keep === page.actors.length
      ? page
      : { ...page, actors: page.actors.slice(0, keep), more: true };
    const bytes = packValue({ ok: true, page: kept });
    if (bytes.byteLength <= limitBytes || keep === 0) return bytes;
    keep = Math.floor(keep / 2);
  }
}
