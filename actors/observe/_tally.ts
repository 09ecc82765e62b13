/**
 * Counting actors by type in one pass, for the summaries of inspections and
 * pages. Not part of the public API.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { ActorStatus } from "../ref.ts";
import type { ActorTypeSummary } from "./actor_pages.ts";

interface Tally {
  count: number;
  statuses: Partial<Record<ActorStatus, number>>;
  mailboxDepth: number;
  maxMailboxDepth: number;
  handled: number;
  restarts: number;
}

/** Running counts per actor type. */
export class TypeTallies {
  readonly #tallies = new Map<string, Tally>();

  /** Counts one actor. */
  add(cell: Cell): void {
    let tally = this.#tallies.get(cell.def.type);
    if (tally === undefined) {
      tally = {
        count: 0,
        statuses: {},
        mailboxDepth: 0,
        maxMailboxDepth: 0,
        handled: 0,
        restarts: 0,
      };
      this.#tallies.set(cell.def.type, tally);
    }
    const queued = cell.queued;
    tally.count++;
    tally.statuses[cell.status] = (tally.statuses[cell.status] ?? 0) + 1;
    tally.mailboxDepth += queued;
    if (queued > tally.maxMailboxDepth) tally.maxMailboxDepth = queued;
    tally.handled += cell.handled;
    tally.restarts += cell.incarnation;
  }

  /** The summaries of one host, sorted by type. */
  summaries(hostId: string): ActorTypeSummary[] {
    return [...this.#tallies].map(
      ([type, t]): ActorTypeSummary => ({ hostId, type, ...t }),
    ).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }
}
