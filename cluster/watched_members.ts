/**
 * What one host knows of the monitoring ring (`monitors.ts`) as its view
 * stands: the monitors of any member, the members it watches itself and
 * since when, and which members are observers of a suspect. The failure
 * detector (`membership.ts`) decides with it; it sends nothing.
 *
 * The ring is made again only when the view's members changed
 * (`invalidate`), so a check costs a lookup, not a sort.
 *
 * @module
 */

import { type ClusterView, type HostInfo, isMember } from "./view.ts";
import { MonitorRing, MONITORS_PER_HOST } from "./monitors.ts";

/** The monitoring ring as one host sees it. */
export class WatchedMembers {
  readonly #selfId: string;
  readonly #view: ClusterView;
  readonly #heartbeatIntervalMs: number;
  /** The monitoring ring of the members, made again when the view's members change. */
  #ring: MonitorRing | undefined;
  /**
   * When this host first counted each member epoch (`hostId@epoch`), noted
   * as the ring is made: a member that arrived after a suspect fell silent
   * never heard it, so it is no observer of it (its vote will never come).
   */
  #firstCounted = new Map<string, number>();
  /** The hosts this host watches, and since when (silence counts from then at most). */
  #watching = new Map<string, number>();
  /** The ring `#watching` was taken from. */
  #watchingRing: MonitorRing | undefined;

  /**
   * @param selfId This host's id.
   * @param view The view whose members make the ring.
   * @param heartbeatIntervalMs How often hosts heartbeat (a newly watched host's grace).
   */
  constructor(selfId: string, view: ClusterView, heartbeatIntervalMs: number) {
    this.#selfId = selfId;
    this.#view = view;
    this.#heartbeatIntervalMs = heartbeatIntervalMs;
  }

  /** The view's members changed: the ring is made again when next asked. */
  invalidate(): void {
    this.#ring = undefined;
  }

  /** The monitors of `hostId` (a member or not), nearest first. */
  monitorsOf(hostId: string, nowMs: number): string[] {
    return this.#currentRing(nowMs).monitorsOf(hostId);
  }

  /** Whether this host monitors `hostId`. */
  watches(hostId: string, nowMs: number): boolean {
    return this.monitorsOf(hostId, nowMs).includes(this.#selfId);
  }

  /**
   * The hosts this host watches now, in no order. A host it starts to watch
   * counts as heard from a heartbeat interval later (its subscription is
   * made at the next heartbeat here).
   */
  watched(nowMs: number): Iterable<string> {
    this.update(nowMs);
    return this.#watching.keys();
  }

  /** Since when this host watches `hostId`, if it does (as of the last `update`). */
  watchingSince(hostId: string): number | undefined {
    return this.#watching.get(hostId);
  }

  /** When this host first counted a member's epoch as a member, if it did. */
  firstCounted(hostId: string, epoch: number): number | undefined {
    return this.#firstCounted.get(`${hostId}@${epoch}`);
  }

  /** Takes the watched hosts from the current ring, if it changed. */
  update(nowMs: number): void {
    const current = this.#currentRing(nowMs);
    if (this.#watchingRing === current) return;
    this.#watchingRing = current;
    const next = new Map<string, number>();
    // A host newly watched is heard only once the subscription to its
    // heartbeats is in place (at the next heartbeat here): a beat of grace.
    for (const id of current.watchedBy(this.#selfId)) {
      next.set(id, this.#watching.get(id) ?? nowMs + this.#heartbeatIntervalMs);
    }
    this.#watching = next;
  }

  /** How long this host has not heard a host it watches (0 for one it does not watch). */
  silenceMs(host: HostInfo, nowMs: number): number {
    const since = this.#watching.get(host.hostId);
    if (since === undefined) return 0;
    return nowMs - Math.max(host.lastSeenMs, since);
  }

  #currentRing(nowMs: number): MonitorRing {
    if (this.#ring !== undefined) return this.#ring;
    const members = [];
    const counted = new Map<string, number>();
    for (const host of this.#view.hosts()) {
      if (!isMember(host.state)) continue;
      members.push({ hostId: host.hostId, watcher: host.monitors === true });
      const k = `${host.hostId}@${host.epoch}`;
      counted.set(k, this.#firstCounted.get(k) ?? Math.min(nowMs, host.lastSeenMs));
    }
    this.#firstCounted = counted;
    this.#ring = new MonitorRing(members, MONITORS_PER_HOST);
    return this.#ring;
  }
}
