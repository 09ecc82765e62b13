/**
 * Inspection through one cluster host: its own snapshot and pages of its
 * actors, told what only the cluster knows of them (a supervisor or owner
 * on another host, what the wire refused), and the same asked of another
 * host over its control subject (`inspect_cluster.ts`, `actor_pages_wire.ts`).
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type {
  HostActorPage,
  HostActorQuery,
  HostContext,
  HostSnapshot,
  LocalHost,
} from "../actors/internal.ts";
import type { Labels } from "./view.ts";
import type { RemoteChildren } from "./remote_children.ts";
import type { OwnedActors } from "./owned_actors.ts";
import { requestSnapshot } from "./inspect_cluster.ts";
import { requestActorPage } from "./actor_pages_wire.ts";

/** What an inspection through a host reads. */
export interface HostInspectionSeams {
  /** This host's actors. */
  readonly local: LocalHost;
  /** Where requests to other hosts go; its status is this host's connection. */
  readonly transport: Transport;
  /** The subjects of this cluster. */
  readonly subjects: Subjects;
  /** This host's labels. */
  readonly labels: Labels;
  /** The actors spawned here by supervisors on other hosts. */
  readonly children: RemoteChildren;
  /** The actors spawned here by programs on other hosts that own them. */
  readonly owned: OwnedActors;
  /** What this host refused from the wire so far, by reason (every part's, added). */
  readonly refused: () => Record<string, number>;
}

/** This host's part of inspections, and its requests for other hosts' parts. */
export class HostInspection {
  readonly #seams: HostInspectionSeams;

  /**
   * Inspects through one host.
   *
   * @param seams This host's actors, and what the cluster knows of them.
   */
  constructor(seams: HostInspectionSeams) {
    this.#seams = seams;
  }

  /** This host's part of an inspection, gathered in slices that yield to the event loop. */
  snapshot(recent: number, listLimit = Infinity): Promise<HostSnapshot> {
    return this.#seams.local.snapshotInSlices(this.#context(), recent, listLimit);
  }

  /** This host's answer to a page request, gathered in slices that yield to the event loop. */
  page(query: HostActorQuery): Promise<HostActorPage> {
    return this.#seams.local.pageInSlices(this.#context(), query);
  }

  /**
   * This host's part of an inspection at once, for displays: it blocks the
   * event loop for about a microsecond per actor.
   */
  snapshotNow(recent: number, listLimit = Infinity): HostSnapshot {
    return this.#seams.local.snapshot(this.#context(), recent, listLimit);
  }

  /**
   * Asks another host for a page of its actors.
   *
   * @throws When it does not answer in time, or answers with an error.
   */
  pageOf(hostId: string, query: HostActorQuery, timeoutMs: number): Promise<HostActorPage> {
    return requestActorPage(this.#seams.transport, this.#seams.subjects, hostId, query, timeoutMs);
  }

  /**
   * Asks another host for its part of an inspection.
   *
   * @throws When it does not answer in time, or answers with an error.
   */
  inspectHost(
    hostId: string,
    recent: number,
    timeoutMs: number,
    listLimit = Infinity,
  ): Promise<HostSnapshot> {
    const { transport, subjects } = this.#seams;
    return requestSnapshot(transport, subjects, hostId, recent, timeoutMs, listLimit);
  }

  #context(): HostContext {
    const { children, owned } = this.#seams;
    return {
      labels: this.#seams.labels,
      connection: this.#seams.transport.status,
      supervisorOf: (actorId) => children.supervisorOf(actorId),
      ownerOf: (actorId) => owned.ownerOf(actorId),
      refused: this.#seams.refused,
    };
  }
}

/** Two counts by reason, added. */
export function sumCounts(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [reason, count] of Object.entries(b)) sum[reason] = (sum[reason] ?? 0) + count;
  return sum;
}
