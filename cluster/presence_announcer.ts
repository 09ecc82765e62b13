/**
 * What a host says of itself: its announcement (who it is and its load),
 * told to everyone on a change; a heartbeat to its monitors, to everyone as
 * well when it changed (`presence_spread.ts`); the two announcements of
 * joining or rejoining; and its own lost declaration when it hung or was
 * killed. While it fences itself, has left or has stopped it says nothing
 * (its old epoch is lost by then). `presence.ts` decides when; this says it.
 *
 * @module
 */

import type { HostAnnouncement } from "./view.ts";
import { packValue } from "./codec.ts";
import { announcementOf, type LastSpread, needsSpread } from "./presence_spread.ts";
import type { PresenceSeams } from "./presence_seams.ts";
import { SLOW_HEARTBEAT_EVERY } from "./monitors.ts";

/** What speaking for a host needs from its presence. */
export interface AnnouncerHost {
  /** The host's presence seams. */
  readonly seams: PresenceSeams;
  /** When the host started (its first epoch), in clock milliseconds. */
  readonly startedAtMs: number;
  /** Least time between two announcements of joining, in milliseconds. */
  readonly minSpacingMs: number;
  /** Announcements an unknown host needs before it is a member. */
  readonly heartbeats: number;
  /** Its current epoch. */
  epoch(): number;
  /** Whether it says nothing now (fencing, left or stopped). */
  silent(): boolean;
  /** A heartbeat went out at `nowMs` (`heartbeat_watch.ts` waits for its echo). */
  sentHeartbeat(nowMs: number): void;
}

/** What one host says of itself. */
export class PresenceAnnouncer {
  readonly #host: AnnouncerHost;
  /** What this host last spread to everyone, and when. */
  #spread: LastSpread | undefined;
  #lastBeatMs: number;
  /** Heartbeats sent: one in `SLOW_HEARTBEAT_EVERY` goes to the slow monitors too. */
  #beats = 0;

  /**
   * Speaks for a host; says nothing until asked.
   *
   * @param host The presence it speaks for.
   */
  constructor(host: AnnouncerHost) {
    this.#host = host;
    this.#lastBeatMs = host.seams.clock.now();
  }

  /**
   * Reads this host's announcement: its load is read anew each time.
   *
   * @returns This host as it is now: its identity, its epoch and its load.
   */
  announcement(): HostAnnouncement {
    const { hostId, labels, subjects } = this.#host.seams;
    const identity = {
      hostId,
      labels,
      startedAtMs: this.#host.startedAtMs,
      epoch: this.#host.epoch(),
      inbox: subjects.inbox(),
    };
    return announcementOf(identity, this.#host.seams.load());
  }

  /** Tells everyone of this host as it is now (a change). */
  announce(announcement: HostAnnouncement = this.announcement()): void {
    if (this.#host.silent()) return;
    const now = this.#host.seams.clock.now();
    this.#host.seams.view.announce(announcement, now);
    this.#spread = { ...announcement, atMs: now };
    this.publish(this.#host.seams.subjects.announce(), packValue(announcement));
  }

  /**
   * One heartbeat: to this host's fast monitors, and one in
   * `SLOW_HEARTBEAT_EVERY` to its slow monitors too (`monitors.ts`); to
   * everyone as well when it changed (busy or idle, load moved by a
   * quarter, at most once a `LOAD_SPREAD_MS`) or when this host was silent
   * for a suspicion timeout (hosts that declared it lost meanwhile hear it
   * and say so).
   */
  beat(): void {
    if (this.#host.silent()) return;
    const { clock, subjects, view } = this.#host.seams;
    const now = clock.now();
    // Silent long enough to have been declared lost: say so to everyone (a
    // beat merely late on a busy machine goes to the monitors alone).
    const stalled = now - this.#lastBeatMs > this.#host.seams.suspicionTimeoutMs;
    this.#lastBeatMs = now;
    const announcement = this.announcement();
    if (needsSpread(this.#spread, announcement, now, stalled)) {
      this.announce(announcement);
    } else {
      view.announce(announcement, now);
    }
    const packed = packValue(announcement);
    if (this.publish(subjects.heartbeat(), packed)) this.#host.sentHeartbeat(now);
    if (this.#beats++ % SLOW_HEARTBEAT_EVERY === 0) this.publish(subjects.slowHeartbeat(), packed);
  }

  /**
   * Joins for the first time: announces and asks everyone to answer.
   *
   * @returns Resolves once this host has announced itself as a member would
   * (twice, spaced, when the others need two heartbeats) and heard the
   * others' answers.
   */
  join(): Promise<void> {
    const { clock, subjects } = this.#host.seams;
    this.announce();
    this.publish(subjects.discover(), new Uint8Array(0));
    const spacingMs = this.#host.minSpacingMs;
    return this.#host.heartbeats <= 1 ? Promise.resolve() : new Promise((resolve) => {
      // The second heartbeat makes this host a member of the others' views; one
      // spacing more lets the others' second answers to the discovery arrive.
      const second = clock.setTimeout(() => {
        this.announce();
        const settled = clock.setTimeout(resolve, spacingMs + 10);
        clock.keepAlive(settled, false);
      }, spacingMs + 5);
      clock.keepAlive(second, false);
    });
  }

  /**
   * Joins (or joins again): announces, asks everyone to answer, and
   * announces once more a spacing later (the hosts that do not monitor this
   * one admit it on that second announcement).
   *
   * @param discover Whether to ask everyone to answer.
   */
  rejoin(discover = true): void {
    this.announce();
    if (discover) this.publish(this.#host.seams.subjects.discover(), new Uint8Array(0));
    if (this.#host.heartbeats <= 1) return;
    const { clock } = this.#host.seams;
    const second = clock.setTimeout(() => this.announce(), this.#host.minSpacingMs + 5);
    clock.keepAlive(second, false);
  }

  /**
   * Declares this host's current epoch lost in its own name (it hung, or was
   * killed), so that the others move its actors at once. Said even when silent.
   */
  declareLost(): void {
    const { hostId, subjects } = this.#host.seams;
    this.publish(subjects.lost(), packValue({ hostId, epoch: this.#host.epoch() }));
  }

  /**
   * Publishes on the host's connection.
   *
   * @returns Whether the transport took the message.
   */
  publish(subject: string, data: Uint8Array): boolean {
    try {
      this.#host.seams.transport.publish(subject, data);
      return true;
    } catch {
      // Disconnected: the next heartbeat will try again.
      return false;
    }
  }
}
