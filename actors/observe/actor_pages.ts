/**
 * Inspection that pages: a summary of the actors by host and type first,
 * then the actors themselves one page at a time (`system.inspectActors()`,
 * `ctl actors`). A host with a million actors answers the summary and each
 * page in slices that yield to its event loop, and no answer ever carries
 * more than {@linkcode MAX_PAGE_LIMIT} actors.
 *
 * Pages follow one order: hosts by id, and on each host its actors in spawn
 * order. A cursor is the id of the last actor a page listed; the next page
 * starts after it, so an actor alive through the whole walk is listed
 * exactly once, one spawned during it is listed if it comes after the
 * cursor, and one stopped during it may be missed.
 *
 * @module
 */

import { InvalidOptionError } from "../../base/errors.ts";
import type { ActorStatus } from "../ref.ts";
import type { ActorReport } from "./inspection.ts";

/** How many actors a page holds when the query says nothing. */
export const DEFAULT_PAGE_LIMIT = 100;

/** The most actors one page (and one host's answer) may hold. */
export const MAX_PAGE_LIMIT = 1_000;

/** The longest filter string a query may carry, in characters. */
export const MAX_FILTER_CHARS = 256;

const STATUSES: readonly ActorStatus[] = [
  "starting",
  "running",
  "suspended",
  "restarting",
  "stopping",
  "stopped",
  "remote",
];

/** Which actors to list, and where a page starts. Every filter must match. */
export interface ActorQuery {
  /** Only the actors of this host. */
  readonly hostId?: string;
  /** Only actors of this type. */
  readonly type?: string;
  /** Only the actor with this name. */
  readonly name?: string;
  /** Only actors in this status. */
  readonly status?: ActorStatus;
  /** Only the children of this parent or supervisor (its actor id, possibly on another host). */
  readonly supervisor?: string;
  /**
   * The most actors in the page, at most {@linkcode MAX_PAGE_LIMIT}.
   * @default {100}
   */
  readonly limit?: number;
  /**
   * Where the page starts: the `next` of the page before; the first page
   * when absent. A first page also carries the summaries.
   */
  readonly cursor?: string;
}

/** Options of `system.inspectActors()`: a query, and how long each host may take. */
export interface InspectActorsOptions extends ActorQuery {
  /**
   * How long to wait for each host's answer, in milliseconds; a host that
   * does not answer in time is listed in `unanswered`.
   * @default {2000}
   */
  readonly timeoutMs?: number;
}

/** The actors of one type on one host that match a query, counted. */
export interface ActorTypeSummary {
  /** The host. */
  readonly hostId: string;
  /** The actor type. */
  readonly type: string;
  /** How many. */
  readonly count: number;
  /** How many are in each status (statuses with none are left out). */
  readonly statuses: Readonly<Partial<Record<ActorStatus, number>>>;
  /** Messages waiting in their mailboxes, all together. */
  readonly mailboxDepth: number;
  /** The deepest mailbox among them. */
  readonly maxMailboxDepth: number;
  /** Messages they handled since they were spawned, all together. */
  readonly handled: number;
  /** Their restarts, all together. */
  readonly restarts: number;
}

/** A host that a page or its summary could not include. */
export interface UnansweredHost {
  /** The host. */
  readonly hostId: string;
  /** Why (it did not answer in time, it is lost, ...). */
  readonly problem: string;
}

/** One page of actors, as `system.inspectActors()` returns it. */
export interface ActorPage {
  /** When it was taken (the inspecting host's clock). */
  readonly takenAtMs: number;
  /**
   * On a first page (no cursor): the matching actors counted by host and
   * type, sorted by host then type; `undefined` on later pages.
   */
  readonly summaries: readonly ActorTypeSummary[] | undefined;
  /** The actors of this page, by host id, then in spawn order. */
  readonly actors: readonly ActorReport[];
  /** The cursor of the next page; `undefined` when this is the last. */
  readonly next: string | undefined;
  /** Hosts that did not answer (their actors are not in the summaries, nor in this page). */
  readonly unanswered: readonly UnansweredHost[];
}

/** One host's answer to a page request. */
export interface HostActorPage {
  /** Its summaries, when they were asked for. */
  readonly summaries: readonly ActorTypeSummary[] | undefined;
  /** The matching actors after the cursor, at most the limit. */
  readonly actors: readonly ActorReport[];
  /** Whether matching actors come after these. */
  readonly more: boolean;
}

/** A query checked and completed: what a host works with. */
export interface HostActorQuery {
  readonly type: string | undefined;
  readonly name: string | undefined;
  readonly status: ActorStatus | undefined;
  readonly supervisor: string | undefined;
  /** Only actors spawned after this sequence number (-1: from the first). */
  readonly afterSequence: number;
  /** The most actors listed, 0 to {@linkcode MAX_PAGE_LIMIT}. */
  readonly limit: number;
  /** Whether to count the summaries (a pass over every actor). */
  readonly summary: boolean;
}

/**
 * Checks a query's filters and limit (from a caller or from the wire).
 *
 * @param query The query as given.
 * @returns Its limit, with the default applied.
 * @throws {InvalidOptionError} For a filter that is not a short string, an
 *   unknown status, or a limit that is not an integer from 1 to {@linkcode MAX_PAGE_LIMIT}.
 */
export function checkActorQuery(query: unknown): number {
  if (query === null || typeof query !== "object") {
    throw new InvalidOptionError("query", query, "an object");
  }
  const q = query as Record<string, unknown>;
  for (const key of ["hostId", "type", "name", "supervisor", "cursor"] as const) {
    const value = q[key];
    if (value !== undefined && (typeof value !== "string" || value.length > MAX_FILTER_CHARS)) {
      throw new InvalidOptionError(
        key,
        value,
        `a string of at most ${MAX_FILTER_CHARS} characters`,
      );
    }
  }
  if (q.status !== undefined && !STATUSES.includes(q.status as ActorStatus)) {
    throw new InvalidOptionError("status", q.status, `one of ${STATUSES.join(", ")}`);
  }
  const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PAGE_LIMIT) {
    throw new InvalidOptionError("limit", limit, `an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return limit as number;
}

/**
 * Reads a host's page request from the wire:
 * `{ type?, name?, status?, supervisor?, after?, limit, summary? }`.
 *
 * @throws {InvalidOptionError} For any field out of bounds (the host answers with it).
 */
export function hostQueryFromWire(raw: unknown): HostActorQuery {
  if (raw === null || typeof raw !== "object") {
    throw new InvalidOptionError("actors request", raw, "a map");
  }
  const r = raw as Record<string, unknown>;
  const limit = r.limit;
  // A summary-only request lists no actors.
  if (!Number.isInteger(limit) || (limit as number) < 0 || (limit as number) > MAX_PAGE_LIMIT) {
    throw new InvalidOptionError("limit", limit, `an integer from 0 to ${MAX_PAGE_LIMIT}`);
  }
  checkActorQuery({ ...r, limit: Math.max(1, limit as number), after: undefined });
  const after = r.after ?? -1;
  if (!Number.isSafeInteger(after) || (after as number) < -1) {
    throw new InvalidOptionError("after", after, "a sequence number, or -1 for the first");
  }
  if (r.summary !== undefined && typeof r.summary !== "boolean") {
    throw new InvalidOptionError("summary", r.summary, "a boolean");
  }
  return {
    type: r.type as string | undefined,
    name: r.name as string | undefined,
    status: r.status as ActorStatus | undefined,
    supervisor: r.supervisor as string | undefined,
    afterSequence: after as number,
    limit: limit as number,
    summary: r.summary === true,
  };
}

/** The wire form of a host query (the inverse of {@linkcode hostQueryFromWire}). */
export function hostQueryToWire(query: HostActorQuery): Record<string, unknown> {
  const wire: Record<string, unknown> = { limit: query.limit, after: query.afterSequence };
  if (query.summary) wire.summary = true;
  for (const key of ["type", "name", "status", "supervisor"] as const) {
    if (query[key] !== undefined) wire[key] = query[key];
  }
  return wire;
}
