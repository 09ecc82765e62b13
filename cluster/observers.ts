/**
 * How many live members observe a suspect: the count a verdict's majority
 * is taken of (`lost_votes.ts`). Pure: a function of the view, the ring as
 * this host sees it, the tally and the time.
 *
 * @module
 */

import { type ClusterView, isMember } from "./view.ts";
import type { WatchedMembers } from "./watched_members.ts";
import type { VoteTally } from "./lost_votes.ts";
import { FAST_MONITORS } from "./monitors.ts";

/** What counting the observers of a suspect reads. */
export interface ObserverInputs {
  /** This host's id. */
  readonly selfId: string;
  /** The view of the members. */
  readonly view: ClusterView;
  /** The ring as this host sees it. */
  readonly watching: WatchedMembers;
  /** The live votes. */
  readonly tally: VoteTally;
  /**
   * When the first of the live votes on each suspect epoch (`hostId@epoch`)
   * was heard, however often they were renewed since.
   */
  readonly firstVotes?: ReadonlyMap<string, number>;
  /** Silence that makes a host suspected, in milliseconds. */
  readonly suspicionTimeoutMs: number;
  /** How long a vote counts, in milliseconds. */
  readonly voteLifetimeMs: number;
}

/**
 * The live members that observe `suspect`: its monitors that are members
 * here and not suspected themselves (no live vote against them here, and
 * not silent when this host watches them), this host included when it is
 * one. Several hosts failing together are judged one after the other:
 * the votes against the silent ones take them out of each other's count.
 *
 * While every fast monitor of the suspect (`monitors.ts`) observes it, they
 * alone are its observers: their votes come a suspicion timeout after its
 * last heartbeat, the slow monitors' only up to `SLOW_HEARTBEAT_EVERY - 1`
 * intervals later. Once one of them is out, the slow monitors count too,
 * so a host whose nearest monitors died with it is still judged.
 *
 * @returns How many observe it (never below two once a monitor was left out for votes against it).
 */
export function countObservers(suspect: string, nowMs: number, inputs: ObserverInputs): number {
  inputs.watching.update(nowMs);
  const silentSince = silentSinceMs(suspect, nowMs, inputs);
  const standings = inputs.watching.monitorsOf(suspect, nowMs).map((id) =>
    monitorStanding(id, silentSince, nowMs, inputs)
  );
  const fast = standings.slice(0, FAST_MONITORS);
  const fastObserve = standings.length > FAST_MONITORS && fast.every((s) => s === "observes");
  const counted = fastObserve ? fast : standings;
  const count = counted.filter((s) => s === "observes").length;
  const suspectedOut = counted.filter((s) => s === "suspected").length;
  // Votes can be forged by a member, silence heard here cannot: a monitor
  // left out only for the votes against it never brings a verdict below two votes.
  return suspectedOut > 0 ? Math.max(count, 2) : count;
}

/** Whether one monitor of a suspect observes it, as this host sees it, or why not. */
function monitorStanding(
  id: string,
  silentSince: number,
  nowMs: number,
  inputs: ObserverInputs,
): "observes" | "suspected" | "out" {
  const { view, selfId, watching, suspicionTimeoutMs } = inputs;
  if (id === selfId) return "observes";
  const host = view.get(id);
  if (host === undefined || !isMember(host.state)) return "out";
  if (watching.silenceMs(host, nowMs) > suspicionTimeoutMs) return "out";
  if ((watching.firstCounted(id, host.epoch) ?? -Infinity) > silentSince) return "out";
  if (suspected(host.hostId, host.epoch, nowMs, inputs)) return "suspected";
  return "observes";
}

/**
 * Since when `suspect` may be silent: from its last heartbeat for a host
 * this one watches; else a suspicion timeout before the first of the live
 * votes on it (no vote is cast sooner), dated from when that first one was
 * heard however often it was renewed; never for this host itself.
 */
function silentSinceMs(suspect: string, nowMs: number, inputs: ObserverInputs): number {
  if (suspect === inputs.selfId) return Infinity;
  const host = inputs.view.get(suspect);
  if (host === undefined) return Infinity;
  const since = inputs.watching.watchingSince(suspect);
  // What this host really heard, not its clocks started afresh after it could not hear
  // (cut off, just back, stalled): members admitted since never heard the suspect either.
  if (since !== undefined) return Math.max(inputs.view.heardMs(suspect) ?? host.lastSeenMs, since);
  const k = `${suspect}@${host.epoch}`;
  let first = Infinity;
  for (const atMs of inputs.tally.get(k)?.values() ?? []) {
    if (nowMs - atMs <= inputs.voteLifetimeMs) first = Math.min(first, atMs);
  }
  // Votes are renewed while the suspect stays silent: its silence dates from the first of them,
  // so monitors that joined after it went silent (they never heard it, and never vote) stay out.
  if (first !== Infinity) first = Math.min(first, inputs.firstVotes?.get(k) ?? Infinity);
  return first - inputs.suspicionTimeoutMs;
}

/** Whether a live vote against this epoch of a host is in the tally. */
function suspected(hostId: string, epoch: number, nowMs: number, inputs: ObserverInputs): boolean {
  const voters = inputs.tally.get(`${hostId}@${epoch}`);
  if (voters === undefined) return false;
  for (const atMs of voters.values()) if (nowMs - atMs <= inputs.voteLifetimeMs) return true;
  return false;
}
