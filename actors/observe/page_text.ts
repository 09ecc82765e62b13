/**
 * Pages of actors as text, for `ctl actors` and logs: the summary by host
 * and type, then the page's actors, then where the next page starts.
 *
 * @module
 */

import { actorsText, table } from "./inspection_text.ts";
import type { ActorPage, ActorTypeSummary } from "./actor_pages.ts";

/** The summaries as a table: one line per host and type, with a total when there are several. */
export function summariesText(summaries: readonly ActorTypeSummary[]): string {
  const rows = summaries.map((s) => [
    s.hostId,
    s.type,
    String(s.count),
    Object.entries(s.statuses).map(([status, n]) => `${status} ${n}`).join(", "),
    String(s.mailboxDepth),
    String(s.maxMailboxDepth),
    String(s.handled),
    String(s.restarts),
  ]);
  if (summaries.length > 1) {
    const sum = (pick: (s: ActorTypeSummary) => number) =>
      String(summaries.reduce((total, s) => total + pick(s), 0));
    rows.push([
      "(all)",
      "",
      sum((s) => s.count),
      "",
      sum((s) => s.mailboxDepth),
      String(Math.max(...summaries.map((s) => s.maxMailboxDepth))),
      sum((s) => s.handled),
      sum((s) => s.restarts),
    ]);
  }
  return table(
    ["HOST", "TYPE", "ACTORS", "STATUSES", "QUEUED", "DEEPEST", "HANDLED", "RESTARTS"],
    rows,
  );
}

/**
 * A page as text: the summaries (on a first page), the actors, the hosts
 * that did not answer, and a last line that says how to get the next page.
 *
 * @param page The page.
 * @param nextHint What to print before the next cursor (e.g. a command line).
 */
export function pageText(page: ActorPage, nextHint = "next page: --cursor"): string {
  const parts: string[] = [];
  if (page.summaries !== undefined) {
    parts.push(
      page.summaries.length === 0 ? "(no matching actors)" : summariesText(page.summaries),
    );
  }
  if (page.actors.length > 0) parts.push(actorsText(page.actors));
  else if (page.summaries === undefined) parts.push("(no more matching actors)");
  for (const host of page.unanswered) parts.push(`${host.hostId} did not answer: ${host.problem}`);
  parts.push(page.next === undefined ? "(last page)" : `${nextHint} ${page.next}`);
  return parts.join("\n\n");
}
