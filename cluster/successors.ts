/**
 * Newer epochs of members, heard while the member's epoch still counts here
 * (a quick restart, seen by a host that does not monitor it, so it cannot
 * tell that the old epoch is silent). A newer epoch is admitted when its old
 * epoch is judged lost, since it will not announce again by itself, but only
 * if it was heard lately: an announcement heard long before the verdict may
 * be made up (on an open server anyone can announce any epoch of any id),
 * and a real new epoch that is no longer fresh announces again when it hears
 * the votes about its old epoch (`presence.ts`).
 *
 * @module
 */

import type { HostAnnouncement } from "./view.ts";

interface Successor {
  readonly announcement: HostAnnouncement;
  /** Announcements of this epoch heard. */
  readonly heard: number;
  /** When the last one was heard, in clock milliseconds. */
  readonly lastMs: number;
}

/** The newer epochs heard of members, one per host id (the one heard last). */
export class Successors {
  readonly #byId = new Map<string, Successor>();
  readonly #maxHosts: number;

  /** @param maxHosts Hosts remembered at most (the oldest noted is forgotten first). */
  constructor(maxHosts: number) {
    this.#maxHosts = maxHosts;
  }

  /** A newer epoch of a member was announced. */
  note(announcement: HostAnnouncement, nowMs: number): void {
    const { hostId, epoch } = announcement;
    const known = this.#byId.get(hostId);
    const heard = known?.announcement.epoch === epoch ? known.heard + 1 : 1;
    this.#byId.delete(hostId);
    this.#byId.set(hostId, { announcement, heard, lastMs: nowMs });
    while (this.#byId.size > this.#maxHosts) this.#byId.delete(this.#byId.keys().next().value!);
  }

  /**
   * The epoch `lostEpoch` of a host was judged lost: its successor to admit,
   * if one newer was announced at least `heartbeats` times, the last within
   * `freshMs`. Forgets it either way.
   */
  take(
    hostId: string,
    lostEpoch: number,
    heartbeats: number,
    nowMs: number,
    freshMs: number,
  ): HostAnnouncement | undefined {
    const successor = this.#byId.get(hostId);
    this.#byId.delete(hostId);
    if (successor === undefined || successor.announcement.epoch <= lostEpoch) return undefined;
    if (successor.heard < heartbeats || nowMs - successor.lastMs > freshMs) return undefined;
    return successor.announcement;
  }

  /** Forgets what was heard of a host (it left). */
  forget(hostId: string): void {
    this.#byId.delete(hostId);
  }
}
