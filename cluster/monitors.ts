/**
 * Who watches whom: each member is monitored by a few peers (`MONITORS_PER_HOST`),
 * chosen the same way on every host from the members it knows, so that a
 * host's background traffic does not grow with the size of the cluster.
 *
 * The watchers (hosts that monitor others: every host of this framework; a
 * client in another language may not) sit on a ring ordered by a hash of
 * their id. The monitors of a member are the first `MONITORS_PER_HOST`
 * watchers after its own place on the ring (itself skipped). So a watcher
 * monitors the members between its `MONITORS_PER_HOST`-th watcher before it
 * and itself: about `MONITORS_PER_HOST` of them, whatever the number of
 * hosts. A member joining, leaving or lost changes the monitors of its
 * `MONITORS_PER_HOST` ring neighbours only (consistent hashing), and two
 * hosts with the same members agree on every monitor. In a cluster of
 * `MONITORS_PER_HOST + 1` hosts or fewer every host monitors every other, as
 * in an all-to-all cluster.
 *
 * The first `FAST_MONITORS` monitors of a member are its fast monitors: they
 * hear every heartbeat of it, and their votes alone reach a verdict while
 * both are live. The others are slow monitors: they hear one heartbeat in
 * `SLOW_HEARTBEAT_EVERY` (`R.<id>.hb.slow`), vote after a silence as long
 * again as those heartbeats are sparser, and count towards a verdict only
 * once a fast monitor is out (`observers.ts`); for a while after a change
 * of the ring they hear every beat, as fast ones do. So a host's heartbeat is
 * delivered `FAST_MONITORS` + 1 times an interval, and `MONITORS_PER_HOST -
 * FAST_MONITORS` more every `SLOW_HEARTBEAT_EVERY` intervals, which keeps
 * small clusters from paying `N²`, while a host whose fast monitors died
 * with it is still judged by its slow ones.
 *
 * Pure: a ring is a value made from a list of members.
 *
 * @module
 */

/** How many peers monitor each member (Orleans probes 3; four gives a verdict of three votes). */
export const MONITORS_PER_HOST = 4;

/** How many of a member's monitors (the nearest) hear every heartbeat of it. */
export const FAST_MONITORS = 2;

/** A member's slow monitors hear one of its heartbeats in this many. */
export const SLOW_HEARTBEAT_EVERY = 4;

/**
 * For this many heartbeat intervals after it becomes a slow monitor of a
 * member (the member is new, or a host joined nearer to it), a monitor still
 * hears every heartbeat of it. Right after a change, one fast monitor may
 * not have heard the member yet (it joined a moment ago): the slow ones'
 * votes then come as soon as a fast monitor's would.
 */
export const FULL_RATE_HEARTBEATS_AFTER_CHANGE = 16;

/** One member as the ring needs it. */
export interface RingMember {
  /** Its id. */
  readonly hostId: string;
  /** Whether it monitors others (it heartbeats either way). */
  readonly watcher: boolean;
}

/** A member one watcher monitors, and where that watcher stands among its monitors. */
export interface WatchedRank {
  /** The member. */
  readonly hostId: string;
  /** The watcher's rank among the member's monitors, nearest first (below `FAST_MONITORS`: fast). */
  readonly rank: number;
}

interface Place {
  readonly hostId: string;
  readonly at: number;
  readonly watcher: boolean;
}

/** A position on the ring: FNV-1a of the id (stable across processes and versions). */
export function ringPosition(hostId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < hostId.length; i++) {
    hash = Math.imul(hash ^ hostId.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

const before = (a: Place, b: Place) =>
  a.at !== b.at ? a.at - b.at : a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0;

/** The monitoring ring of one set of members. */
export class MonitorRing {
  readonly #places: readonly Place[];
  readonly #watchers: number;
  readonly #perHost: number;

  /**
   * @param members The members (alive, busy or suspected; not lost, not left).
   * @param perHost How many watchers monitor each member.
   */
  constructor(members: Iterable<RingMember>, perHost = MONITORS_PER_HOST) {
    const places: Place[] = [];
    let watchers = 0;
    for (const m of members) {
      places.push({ hostId: m.hostId, at: ringPosition(m.hostId), watcher: m.watcher });
      if (m.watcher) watchers++;
    }
    this.#places = places.sort(before);
    this.#watchers = watchers;
    this.#perHost = perHost;
  }

  /** The watchers that monitor `hostId` (a member or not), nearest first. */
  monitorsOf(hostId: string): string[] {
    const places = this.#places;
    const wanted = Math.min(this.#perHost, this.#watchers);
    const found: string[] = [];
    if (places.length === 0 || wanted === 0) return found;
    const start = this.#after({ hostId, at: ringPosition(hostId), watcher: false });
    for (let i = 0; i < places.length && found.length < wanted; i++) {
      const p = places[(start + i) % places.length];
      if (p.watcher && p.hostId !== hostId) found.push(p.hostId);
    }
    return found;
  }

  /** The members that `watcherId` monitors: those it is among the monitors of. */
  watchedBy(watcherId: string): string[] {
    return this.watchedWithRank(watcherId).map((w) => w.hostId);
  }

  /**
   * The members that `watcherId` monitors, each with its rank among their
   * monitors (0 for the nearest: `monitorsOf(hostId).indexOf(watcherId)`).
   */
  watchedWithRank(watcherId: string): WatchedRank[] {
    const places = this.#places;
    const self = places.findIndex((p) => p.hostId === watcherId);
    if (self < 0 || !places[self].watcher) return [];
    const watched: WatchedRank[] = [];
    // Walking back from the watcher: every member passed has it among its
    // first `perHost` watchers until `perHost` other watchers stand between,
    // and the watchers between them are the ones before it in its list.
    let watchersBetween = 0;
    for (let i = 1; i < places.length; i++) {
      const p = places[(self - i + places.length) % places.length];
      if (watchersBetween >= this.#perHost) break;
      watched.push({ hostId: p.hostId, rank: watchersBetween });
      if (p.watcher) watchersBetween++;
    }
    return watched;
  }

  /** The index of the first place strictly after `place` (wrapping to 0). */
  #after(place: Place): number {
    const places = this.#places;
    let lo = 0;
    let hi = places.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(places[mid], place) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo % places.length;
  }
}
