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
  /** Its inbox subject (a pattern: `R.*.to.<hostId>`). */
  readonly inbox: string;
  /** The protocol version it speaks (1 when it did not say). */
  readonly protocol: number;
  /**
   * The additions to its protocol it reads (`capabilities.ts`); absent for
   * a host of a version before they were announced, which reads none.
   */
  readonly capabilities?: readonly string[];
  /**
   * How late its event loop runs, in milliseconds (0 when it keeps up): a
   * handler computing, a large message being decoded. Measured apart from
   * the loop, by the host's liveness worker.
   */
  readonly loopLagMs: number;
  /** Whether its loop lags past its busy threshold: it is alive, but slow to answer. */
  readonly busy: boolean;
  /**
   * Whether it monitors other hosts (every host of this framework does; a
   * member that only announces itself, such as a client in another
   * language, does not): only those are on the monitoring ring.
   */
  readonly monitors?: boolean;
}

/**
 * A host's standing in the view:
 * - `"alive"`: it heartbeats;
 * - `"busy"`: it heartbeats, but its event loop lags (its actors are
 *   computing): messages to it wait, asks to it wait or time out by their
 *   own deadline; it is never declared lost for being busy;
 * - `"unreachable"`: a message to it reached no subscriber (its inbox is gone);
 * - `"lost"`: it stopped heartbeating for longer than the suspicion timeout
 *   and was declared lost (its actors are re-placed; if it comes back, its
 *   old actors stop and it rejoins as a new epoch);
 * - `"left"`: it said goodbye (graceful shutdown).
 */
export type HostState = "alive" | "busy" | "unreachable" | "lost" | "left";

/** Whether a host in this state is a member that takes messages and work: alive or busy. */
export function isUp(state: HostState): boolean {
  return state === "alive" || state === "busy";
}

/** Whether a host in this state is still a member (up, or only suspected): not lost, not left. */
export function isMember(state: HostState): boolean {
  return state === "alive" || state === "busy" || state === "unreachable";
}

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
  /**
   * When each host's current epoch was last really heard (an announcement
   * or heartbeat arrived), which {@linkcode ClusterView.refreshAlive} does not move.
   */
  #heardMs = new Map<string, number>();
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

  /** The hosts that can take work: alive or busy ones. */
  alive(): HostInfo[] {
    return this.hosts().filter((h) => isUp(h.state));
  }

  /**
   * Whether `hostId` is up (alive or busy) and no up host has a lower id.
   * Every host asks it each time another host goes, so it makes one pass
   * that stops at the first lower up host, and sorts nothing (a sort of the
   * view each time made a cluster whose N hosts all leave pay N³ log N).
   */
  isLowestUp(hostId: string): boolean {
    const host = this.#hosts.get(hostId);
    if (host === undefined || !isUp(host.state)) return false;
    for (const other of this.#hosts.values()) {
      if (other.hostId < hostId && isUp(other.state)) return false;
    }
    return true;
  }

  /** One host, if known. */
  get(hostId: string): HostInfo | undefined {
    return this.#hosts.get(hostId);
  }

  /** Records an announcement (the host is alive, or busy when it says so). */
  announce(announcement: HostAnnouncement, nowMs: number): void {
    this.#heardMs.set(announcement.hostId, nowMs);
    this.#set({
      ...announcement,
      state: announcement.busy ? "busy" : "alive",
      lastSeenMs: nowMs,
      self: announcement.hostId === this.#selfId,
    });
  }

  /**
   * Records an announcement heard a while ago, of a host silent since
   * (`lastSeenMs`): a member, but unreachable, as one whose inbox bounced.
   */
  announceSilent(announcement: HostAnnouncement, lastSeenMs: number): void {
    this.#heardMs.set(announcement.hostId, lastSeenMs);
    this.#set({
      ...announcement,
      state: "unreachable",
      lastSeenMs,
      self: announcement.hostId === this.#selfId,
    });
  }

  /** Marks a host as unreachable or gone. */
  mark(hostId: string, state: Exclude<HostState, "alive" | "busy">, nowMs: number): void {
    const host = this.#hosts.get(hostId);
    // A host that left or was lost stays so (a late bounce must not make it a member again);
    // only an announcement of a new epoch brings it back.
    if (host === undefined || host.state === state || !isMember(host.state)) return;
    this.#set({ ...host, state, lastSeenMs: host.lastSeenMs ?? nowMs });
  }

  /**
   * When a host was last really heard from: its `lastSeenMs` before any
   * {@linkcode ClusterView.refreshAlive} moved it (this host could not hear
   * then, so it counted everyone alive afresh; the host said nothing).
   */
  heardMs(hostId: string): number | undefined {
    return this.#heardMs.get(hostId) ?? this.#hosts.get(hostId)?.lastSeenMs;
  }

  /** Treats every live or suspected host as just heard from (after this host could not hear for a while). */
  refreshAlive(nowMs: number): void {
    for (const [id, host] of this.#hosts) {
      if (isMember(host.state)) {
        this.#hosts.set(id, { ...host, lastSeenMs: nowMs });
      }
    }
  }

  /** Counts a spawn this host sent to another, until its next announcement corrects it. */
  countSpawn(hostId: string): void {
    const host = this.#hosts.get(hostId);
    if (host !== undefined) this.#hosts.set(hostId, { ...host, actorCount: host.actorCount + 1 });
  }

  /**
   * Takes every entry from another copy of the view (a host's liveness
   * worker keeps the original); listeners hear of the entries whose state changed.
   */
  replace(hosts: readonly HostInfo[]): void {
    const seen = new Set<string>();
    for (const host of hosts) {
      seen.add(host.hostId);
      const here = this.#hosts.get(host.hostId);
      // A bounce seen here marked it unreachable: that holds until it is heard from again.
      if (
        here?.state === "unreachable" && isUp(host.state) && host.lastSeenMs <= here.lastSeenMs
      ) continue;
      this.#set(host);
    }
    for (const id of this.#hosts.keys()) {
      if (!seen.has(id)) {
        this.#hosts.delete(id);
        this.#heardMs.delete(id);
      }
    }
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
