/**
 * What one host knows of the monitoring ring (`monitors.ts`) as its view
 * stands: the monitors of any member, the members it watches itself and
 * since when, and which members are observers of a suspect. The failure
 * detector (`membership.ts`) decides with it; it sends nothing.
 *
 * The ring is made again only when the view's members changed
 * (`invalidate`), so a check costs a lookup, not a sort.
 *
 * A member this host is a slow monitor of (`monitors.ts`) is heard one
 * heartbeat in `SLOW_HEARTBEAT_EVERY`, when it sends them (capability
 * `slow-heartbeat`), from `FULL_RATE_HEARTBEATS_AFTER_CHANGE` intervals
 * after this host became a slow monitor of it: its silence is counted less
 * the intervals of the heartbeats this host does not hear, so that every
 * threshold on silence means the same for a fast and a slow monitor.
 *
 * @module
 */

import { type ClusterView, type HostInfo, isMember } from "./view.ts";
import {
  FAST_MONITORS,
  FULL_RATE_HEARTBEATS_AFTER_CHANGE,
  MonitorRing,
  MONITORS_PER_HOST,
  SLOW_HEARTBEAT_EVERY,
} from "./monitors.ts";
import { reads } from "./capabilities.ts";

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
  /** The hosts of `#watching` this host is a slow monitor of, and since when. */
  #slow = new Map<string, number>();
  /**
   * The hosts this host heard slowly and now monitors as a fast monitor, and
   * from when it hears them at every beat (its next heartbeat subscribes).
   */
  #fullRateFrom = new Map<string, number>();
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
    const previous = this.#watchingRing;
    this.#watchingRing = current;
    const next = new Map<string, number>();
    const slow = new Map<string, number>();
    const fullRateFrom = new Map<string, number>();
    // A host newly watched is heard only once the subscription to its
    // heartbeats is in place (at the next heartbeat here): a beat of grace.
    const graceUntilMs = nowMs + this.#heartbeatIntervalMs;
    for (const { hostId, rank } of current.watchedWithRank(this.#selfId)) {
      const since = this.#watching.get(hostId);
      const isSlow = rank >= FAST_MONITORS;
      // A slow monitor hears every beat again while a fast monitor of the
      // host is new to it (it may not have heard the host yet).
      const slowSince = this.#slow.get(hostId);
      const sameFast = slowSince !== undefined && previous !== undefined &&
        sameFastMonitors(previous, current, hostId);
      if (isSlow) slow.set(hostId, sameFast ? slowSince : nowMs);
      // Heard slowly until now: its last beat heard may be most of a
      // suspicion timeout old, so its silence keeps the slow count until a
      // beat comes at the new rate.
      const host = this.#view.get(hostId);
      const wasSlow = host !== undefined && this.hearsSlowly(host, nowMs);
      const rateFrom = wasSlow ? graceUntilMs : this.#fullRateFrom.get(hostId);
      if (!isSlow && rateFrom !== undefined) fullRateFrom.set(hostId, rateFrom);
      next.set(hostId, since === undefined ? graceUntilMs : since);
    }
    this.#watching = next;
    this.#slow = slow;
    this.#fullRateFrom = fullRateFrom;
  }

  /**
   * Whether this host hears `host` one heartbeat in `SLOW_HEARTBEAT_EVERY`
   * (on `R.<id>.hb.slow`): it has been a slow monitor of it for
   * `FULL_RATE_HEARTBEATS_AFTER_CHANGE` intervals, as of the last `update`,
   * and `host` sends them.
   */
  hearsSlowly(host: HostInfo, nowMs: number): boolean {
    const since = this.#slow.get(host.hostId);
    return since !== undefined &&
      nowMs - since >= FULL_RATE_HEARTBEATS_AFTER_CHANGE * this.#heartbeatIntervalMs &&
      reads(host.capabilities, "slow-heartbeat");
  }

  /**
   * How long this host has not heard a host it watches (0 for one it does
   * not watch), less the intervals of the heartbeats it does not hear when
   * it hears that host slowly, or when it has just become a fast monitor of
   * a host it heard slowly and has not heard a beat of it at the new rate yet.
   */
  silenceMs(host: HostInfo, nowMs: number): number {
    const since = this.#watching.get(host.hostId);
    if (since === undefined) return 0;
    const heardAtFullRate = (this.#fullRateFrom.get(host.hostId) ?? -Infinity) <= host.lastSeenMs;
    const unheardMs = this.hearsSlowly(host, nowMs) || !heardAtFullRate
      ? (SLOW_HEARTBEAT_EVERY - 1) * this.#heartbeatIntervalMs
      : 0;
    return nowMs - Math.max(host.lastSeenMs, since) - unheardMs;
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

/** Whether `hostId` has the same fast monitors on both rings. */
function sameFastMonitors(before: MonitorRing, after: MonitorRing, hostId: string): boolean {
  const was = before.monitorsOf(hostId).slice(0, FAST_MONITORS);
  const is = after.monitorsOf(hostId).slice(0, FAST_MONITORS);
  return was.length === is.length && is.every((id) => was.includes(id));
}
