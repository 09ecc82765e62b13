/**
 * Newer epochs of members, heard while the member's epoch still counts here
 * (a quick restart, seen by a host that does not monitor it, so it cannot
 * tell that the old epoch is silent). A newer epoch is admitted when its old
 * epoch is judged lost, since it will not announce again by itself: as a
 * live member if it was heard lately, else as one already unreachable and
 * silent since it was last heard (an announcement heard long before the
 * verdict may be made up on an open server, or its host may have died since:
 * then the monitors vote it lost at once, and the others, which may need
 * their votes to judge that epoch, are not left waiting for them; a real new
 * epoch announces again when it hears the votes about its old one).
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
   * if one newer was announced at least `heartbeats` times; `fresh` when the
   * last was heard within `freshMs`. Forgets it either way.
   */
  take(
    hostId: string,
    lostEpoch: number,
    heartbeats: number,
    nowMs: number,
    freshMs: number,
  ): { announcement: HostAnnouncement; lastMs: number; fresh: boolean } | undefined {
    const successor = this.#byId.get(hostId);
    this.#byId.delete(hostId);
    if (successor === undefined || successor.announcement.epoch <= lostEpoch) return undefined;
    if (successor.heard < heartbeats) return undefined;
    const { announcement, lastMs } = successor;
    return { announcement, lastMs, fresh: nowMs - lastMs <= freshMs };
  }

  /** Forgets what was heard of a host (it left). */
  forget(hostId: string): void {
    this.#byId.delete(hostId);
  }
}
