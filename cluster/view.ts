/**
 * The cluster view: the hosts this host knows of, with their labels and
 * load, as announced by themselves. Placement reads it; the membership layer
 * (heartbeats, failure detection) extends it by calling `markLost`.
 *
 * @module
 */

import type { Labels } from "../actors/internal.ts";

export type { Labels };

/** What a host announces about itself. */
export interface HostAnnouncement {
  /** Its id. */
  readonly hostId: string;
  /** Its labels. */
  readonly labels: Labels;
  /** Live actors. */
  readonly actorCount: number;
  /** Messages waiting in all its mailboxes. */
  readonly mailboxDepth: number;
  /** When it started, in milliseconds since the epoch. */
  readonly startedAtMs: number;
  /**
   * Which life of the host this is: a new process, or a rejoin after it was
   * declared lost, has a higher epoch.
   */
  readonly epoch: number;
  /** Its inbox subject. */
  readonly inbox: string;
}

/**
 * A host's standing in the view:
 * - `"alive"`: it heartbeats;
 * - `"unreachable"`: a message to it reached no subscriber (its inbox is gone);
 * - `"lost"`: it stopped heartbeating for longer than the suspicion timeout
 *   and was declared lost (its actors are re-placed; if it comes back, its
 *   old actors stop and it rejoins as a new epoch);
 * - `"left"`: it said goodbye (graceful shutdown).
 */
export type HostState = "alive" | "unreachable" | "lost" | "left";

/** One host as this host sees it. */
export interface HostInfo extends HostAnnouncement {
  /** Its standing. */
  readonly state: HostState;
  /** When it was last heard from, on this host's clock. */
  readonly lastSeenMs: number;
  /** Whether it is this host. */
  readonly self: boolean;
}

/** The hosts of a cluster, as seen from one of them. */
export class ClusterView {
  #hosts = new Map<string, HostInfo>();
  #selfId: string;
  #listeners = new Set<(host: HostInfo) => void>();

  /** @param selfId This host's id. */
  constructor(selfId: string) {
    this.#selfId = selfId;
  }

  /** Every known host, this one included, sorted by id. */
  hosts(): HostInfo[] {
    return [...this.#hosts.values()].sort((a, b) => (a.hostId < b.hostId ? -1 : 1));
  }

  /** The hosts that can take work: alive ones. */
  alive(): HostInfo[] {
    return this.hosts().filter((h) => h.state === "alive");
  }

  /** One host, if known. */
  get(hostId: string): HostInfo | undefined {
    return this.#hosts.get(hostId);
  }

  /** Records an announcement (the host is alive). */
  announce(announcement: HostAnnouncement, nowMs: number): void {
    this.#set({
      ...announcement,
      state: "alive",
      lastSeenMs: nowMs,
      self: announcement.hostId === this.#selfId,
    });
  }

  /** Marks a host as unreachable or gone. */
  mark(hostId: string, state: Exclude<HostState, "alive">, nowMs: number): void {
    const host = this.#hosts.get(hostId);
    if (host === undefined || host.state === state) return;
    this.#set({ ...host, state, lastSeenMs: host.lastSeenMs ?? nowMs });
  }

  /** Treats every live or suspected host as just heard from (after this host could not hear for a while). */
  refreshAlive(nowMs: number): void {
    for (const [id, host] of this.#hosts) {
      if (host.state === "alive" || host.state === "unreachable") {
        this.#hosts.set(id, { ...host, lastSeenMs: nowMs });
      }
    }
  }

  /** Counts a spawn this host sent to another, until its next announcement corrects it. */
  countSpawn(hostId: string): void {
    const host = this.#hosts.get(hostId);
    if (host !== undefined) this.#hosts.set(hostId, { ...host, actorCount: host.actorCount + 1 });
  }

  /** Calls `listener` whenever a host's entry changes state. */
  onChange(listener: (host: HostInfo) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(host: HostInfo): void {
    const before = this.#hosts.get(host.hostId);
    this.#hosts.set(host.hostId, host);
    if (before?.state !== host.state) { for (const listener of this.#listeners) listener(host); }
  }
}
