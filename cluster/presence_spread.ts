/**
 * What a host tells of itself, and when a heartbeat must go to everyone
 * rather than to its monitors alone. Pure: functions of the host's state,
 * its load and the time.
 *
 * @module
 */

import type { HostAnnouncement, Labels } from "./view.ts";
import { PROTOCOL_VERSION } from "./protocol_version.ts";
import { HOST_CAPABILITIES } from "./capabilities.ts";
import type { HostLoad } from "./presence_seams.ts";

/**
 * Least time between two spreads of a host's load to everyone, in
 * milliseconds (busy and idle spread at once).
 */
export const LOAD_SPREAD_MS = 1_000;

/** What a host last spread to everyone, and when. */
export interface LastSpread {
  /** Whether it was busy. */
  readonly busy: boolean;
  /** Its live actors then. */
  readonly actorCount: number;
  /** Its waiting messages then. */
  readonly mailboxDepth: number;
  /** When, in clock milliseconds. */
  readonly atMs: number;
}

/** Who a host is, as its announcements say. */
export interface AnnouncedIdentity {
  /** Its id. */
  readonly hostId: string;
  /** Its labels. */
  readonly labels: Labels;
  /** When it started, in clock milliseconds. */
  readonly startedAtMs: number;
  /** Its current epoch. */
  readonly epoch: number;
  /** Its inbox subject. */
  readonly inbox: string;
}

/** @returns The announcement of a host of this framework (it monitors others) with this load. */
export function announcementOf(identity: AnnouncedIdentity, load: HostLoad): HostAnnouncement {
  return {
    hostId: identity.hostId,
    labels: identity.labels,
    actorCount: load.actorCount,
    mailboxDepth: load.mailboxDepth,
    startedAtMs: identity.startedAtMs,
    epoch: identity.epoch,
    inbox: identity.inbox,
    protocol: PROTOCOL_VERSION,
    capabilities: HOST_CAPABILITIES,
    loopLagMs: Math.round(load.loopLagMs),
    busy: load.busy,
    monitors: true,
  };
}

/**
 * Whether a heartbeat goes to everyone as a change: the host was silent
 * for a suspicion timeout (`stalled`: hosts that declared it lost meanwhile
 * hear it and say so), it never spread, it turned busy or idle, or its load
 * moved by a quarter (at least 16) and the last spread is `LOAD_SPREAD_MS` old.
 */
export function needsSpread(
  last: LastSpread | undefined,
  now: HostAnnouncement,
  nowMs: number,
  stalled: boolean,
): boolean {
  if (stalled || last === undefined || last.busy !== now.busy) return true;
  if (nowMs - last.atMs < LOAD_SPREAD_MS) return false;
  const moved = (was: number, is: number) => Math.abs(is - was) >= Math.max(16, was / 4);
  return moved(last.actorCount, now.actorCount) || moved(last.mailboxDepth, now.mailboxDepth);
}
