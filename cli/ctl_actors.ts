/**
 * `ctl actors`: the live actors of the cluster, a page at a time, with a
 * summary by type on the first page and, under each page, the command line
 * that shows the next one (a host may hold far more actors than one answer).
 *
 * @module
 */

import type { ClusterObserver } from "../cluster/observer.ts";
import { pageText } from "../actors/observe/page_text.ts";
import type { ActorPage, ActorQuery } from "../actors/observe/actor_pages.ts";
import { CtlError, positiveNumber, print, type Values } from "./_ctl_args.ts";

/**
 * One page of actors: the summary first (on the first page), then the page,
 * then the command line of the next; `--page n` walks the pages before it.
 *
 * @param observer The connected observer.
 * @param values The parsed flags (the filters, `--limit`, `--cursor` or `--page`).
 * @throws {CtlError} With exit code 2 for a bad filter or page, 1 when no host was heard.
 */
export async function actorPage(observer: ClusterObserver, values: Values): Promise<void> {
  const pageNumber = positiveNumber(values, "page", 1);
  if (!Number.isInteger(pageNumber)) {
    throw new CtlError(`--page must be a whole number, not '${values.page}'`, 2);
  }
  if (values.page !== undefined && values.cursor !== undefined) {
    throw new CtlError("--page and --cursor do not go together", 2);
  }
  const query = {
    hostId: values.host,
    type: values.type,
    name: values.name,
    status: values.status as ActorQuery["status"],
    supervisor: values.supervisor,
    limit: positiveNumber(values, "limit", 100),
    cursor: values.cursor,
    timeoutMs: positiveNumber(values, "timeout-ms", 2_000),
    discoverMs: positiveNumber(values, "discover-ms", 600),
  };
  let page: ActorPage;
  try {
    page = await observer.inspectActors(query);
    for (let n = 1; n < pageNumber && page.next !== undefined; n++) {
      page = await observer.inspectActors({ ...query, cursor: page.next });
    }
  } catch (err) {
    if ((err as { code?: string }).code !== "invalid_option") throw err;
    throw new CtlError((err as Error).message, 2);
  }
  if (page.summaries?.length === 0 && page.unanswered.length === 0 && values.host === undefined) {
    const hosts = await observer.hosts(0);
    if (hosts.length === 0) {
      throw new CtlError("no host of the cluster was heard (is the cluster name right? --prefix?)");
    }
  }
  const again = ["ctl actors", ...commandFilters(values), "--cursor"].join(" ");
  print(values, page, pageText(page, `next page: ${again}`));
}

/** The filter flags of an `actors` command line, to repeat them for its next page. */
function commandFilters(values: Values): string[] {
  const flags: string[] = [];
  for (const flag of ["host", "type", "name", "status", "supervisor", "limit"] as const) {
    const value = values[flag];
    if (value !== undefined) {
      flags.push(`--${flag}`, /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value));
    }
  }
  return flags;
}
