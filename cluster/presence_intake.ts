/**
 * What a host does with the announcements and heartbeats it hears: a
 * member's current epoch refreshes it, an older one is ignored, a newer one
 * is checked against the member's silence (`membership.ts`) and kept aside
 * (`successors.ts`), and an unknown host is a candidate until it was heard
 * often enough (`candidates.ts`). An announcement in this host's own name
 * with a newer epoch raises the floor of its next epoch. It publishes
 * nothing itself; `presence.ts` wires it to the subscriptions.
 *
 * @module
 */

import type { TransportMessage } from "../transport/transport.ts";
import { type HostAnnouncement, isMember } from "./view.ts";
import type { Membership } from "./membership.ts";
import { type CandidateRules, Candidates, DEFAULT_MAX_CANDIDATES } from "./candidates.ts";
import { hearAnnouncement, VersionNotices } from "./wire_identity.ts";
import { Successors } from "./successors.ts";
import type { PresenceSeams } from "./presence_seams.ts";

/** The announcements heard by one host. */
export class AnnouncementIntake {
  readonly #seams: PresenceSeams;
  readonly #membership: Membership;
  readonly #count: (reason: string) => void;
  readonly #versions: VersionNotices;
  readonly #candidates: Candidates;
  /** Newer epochs heard of members that are still members here (`successors.ts`). */
  readonly #successors = new Successors(DEFAULT_MAX_CANDIDATES);
  readonly #heartbeats: number;
  /** The least epoch this host may take next: above any announced in its name by someone else. */
  #epochFloor = 0;

  /**
   * @param seams The host's presence seams.
   * @param membership Its failure detector.
   * @param heartbeats Announcements an unknown host needs before it is a member.
   * @param count Counts a refusal by reason.
   */
  constructor(
    seams: PresenceSeams,
    membership: Membership,
    heartbeats: number,
    count: (reason: string) => void,
  ) {
    this.#seams = seams;
    this.#membership = membership;
    this.#heartbeats = heartbeats;
    this.#count = count;
    this.#versions = new VersionNotices((text) => seams.log.warn(text));
    const rules: CandidateRules = {
      heartbeats,
      // Spacing measured at the receiver means little under load (two
      // announcements sent 67 ms apart arrive together): the second admits.
      minSpacingMs: 0,
      maxCandidates: DEFAULT_MAX_CANDIDATES,
      lifetimeMs: 2 * seams.suspicionTimeoutMs,
    };
    this.#candidates = new Candidates(rules);
  }

  /** The least epoch this host may take next. */
  get epochFloor(): number {
    return this.#epochFloor;
  }

  /**
   * An announcement (`heartbeat`: on a heartbeat subject) arrived.
   *
   * @param ownEpoch This host's current epoch.
   * @returns Whether it was a well-formed announcement of a host of this version.
   */
  heard(message: TransportMessage, ownEpoch: number, heartbeat = false): boolean {
    const heard = hearAnnouncement(this.#seams.subjects, message);
    if (heard.kind === "other-version") {
      this.#versions.heard(heard.hostId, heard.protocol);
      return false;
    }
    if (heard.kind === "refused") {
      this.#count(heard.reason);
      return false;
    }
    this.#membership.heardFrom(heard.announcement.hostId);
    this.#heardAnnouncement(heard.announcement, ownEpoch, heartbeat);
    return true;
  }

  /** A host left: what was heard of it is forgotten. */
  forget(hostId: string): void {
    this.#candidates.forget(hostId);
    this.#successors.forget(hostId);
  }

  /**
   * The old epoch of a host was judged lost: its newer epoch, when heard, is
   * a member now: alive if heard lately (within two suspicion timeouts),
   * else unreachable, silent since it was last heard (`successors.ts`).
   */
  admitSuccessor(hostId: string, lostEpoch: number): void {
    const now = this.#seams.clock.now();
    const freshMs = 2 * this.#seams.suspicionTimeoutMs;
    const successor = this.#successors.take(hostId, lostEpoch, this.#heartbeats, now, freshMs);
    if (successor === undefined) return;
    if (successor.fresh) return this.#seams.view.announce(successor.announcement, now);
    // Silent since: a member only so that this host, if it monitors it, votes it lost too.
    this.#seams.view.announceSilent(successor.announcement, successor.lastMs);
  }

  #heardAnnouncement(announcement: HostAnnouncement, ownEpoch: number, heartbeat: boolean): void {
    const { hostId, epoch } = announcement;
    if (hostId === this.#seams.hostId) {
      // Only someone else announces a newer epoch in this host's name: its
      // next epoch must outnumber it, or the others would refuse it as older.
      if (epoch > ownEpoch && Number.isSafeInteger(epoch + 1)) {
        this.#epochFloor = Math.max(this.#epochFloor, epoch + 1);
      }
      return;
    }
    if (this.#membership.isZombie(hostId, epoch)) return;
    const now = this.#seams.clock.now();
    const known = this.#seams.view.get(hostId);
    if (known !== undefined && isMember(known.state)) {
      if (epoch === known.epoch) return this.#seams.view.announce(announcement, now);
      // An older life's heartbeat, late: ignored.
      if (epoch < known.epoch) return;
      // A newer epoch while the member's epoch still heartbeats is made up;
      // once the member's epoch is silent, it restarted: it is voted lost,
      // and the new epoch is admitted after that like any new host.
      if (!this.#membership.newerEpochHeard(known, heartbeat)) this.#count("epoch-conflict");
      if (isMember(this.#seams.view.get(hostId)!.state)) {
        this.#successors.note(announcement, now);
        return;
      }
    }
    // A heartbeat of an epoch that said goodbye, arriving late (it may come
    // over another connection than the goodbye): that life is over.
    if (known !== undefined && epoch <= known.epoch) return;
    if (!this.#candidates.heard(hostId, epoch, now)) return;
    this.#seams.view.announce(announcement, now);
  }
}
