/**
 * Who observes a suspect: the members that could have heard it. A member
 * admitted after the suspect fell silent never heard it and never votes on
 * it, so it must not count towards the verdict's majority.
 */

import assert from "node:assert/strict";
import { ClusterView } from "../../cluster/view.ts";
import { WatchedMembers } from "../../cluster/watched_members.ts";
import { countObservers } from "../../cluster/observers.ts";
import { NO_VOTES } from "../../cluster/lost_votes.ts";
import { FAST_MONITORS } from "../../cluster/monitors.ts";
import { hostAnnouncement } from "../_helpers/host_announcement.ts";

const SUSPICION_MS = 500;

function announce(view: ClusterView, hostId: string, nowMs: number): void {
  view.announce(hostAnnouncement(hostId), nowMs);
}

/** This host's view and ring with `members` announced at 0, and the ring made then. */
function membersAtZero(...members: string[]): { view: ClusterView; watching: WatchedMembers } {
  const view = new ClusterView("me");
  const watching = new WatchedMembers("me", view, 100);
  for (const id of ["me", ...members]) announce(view, id, 0);
  watching.update(0);
  return { view, watching };
}

/** Admits `hostId` at `nowMs`: the ring is made again then, as when the view's members change. */
function admit(view: ClusterView, watching: WatchedMembers, hostId: string, nowMs: number): void {
  announce(view, hostId, nowMs);
  watching.invalidate();
  watching.update(nowMs);
}

function observersOf(suspect: string, view: ClusterView, watching: WatchedMembers, nowMs: number) {
  return countObservers(suspect, nowMs, {
    selfId: "me",
    view,
    watching,
    tally: NO_VOTES,
    suspicionTimeoutMs: SUSPICION_MS,
    voteLifetimeMs: 3 * SUSPICION_MS,
  });
}

Deno.test("members admitted after a watched suspect was last heard do not observe it, though this host counted everyone alive afresh since", () => {
  // Chaos seed 100729: a host cut off three times started its clocks afresh
  // after each cut; the hosts that joined meanwhile counted as observers of a
  // member that had died during the first cut, and the verdict waited for
  // their votes for ever.
  const { view, watching } = membersAtZero("gone", "a");
  assert.ok(watching.watchingSince("gone") !== undefined, "this host watches the suspect");
  // "gone" is last heard at 0; new members arrive at 5 000 and 6 000, while
  // this host, just back from a cut, starts its clocks afresh (it could not hear).
  announce(view, "me", 5_000);
  announce(view, "a", 5_000);
  admit(view, watching, "late1", 5_000);
  admit(view, watching, "late2", 6_000);
  view.refreshAlive(9_000);
  for (const id of ["me", "a", "late1", "late2"]) announce(view, id, 9_500);
  assert.equal(view.heardMs("gone"), 0, "last really heard at 0");
  assert.equal(view.get("gone")?.lastSeenMs, 9_000, "counted alive afresh at 9 000");
  const observers = observersOf("gone", view, watching, 9_600);
  const monitors = watching.monitorsOf("gone", 9_600);
  const late = monitors.filter((id) => id === "late1" || id === "late2").length;
  assert.ok(late > 0, `the late members are among its monitors (${monitors})`);
  assert.equal(observers, monitors.length - late);
});

Deno.test("members admitted while a watched suspect was still heard observe it", () => {
  const { view, watching } = membersAtZero("suspect", "a");
  admit(view, watching, "late", 1_000);
  for (const id of ["me", "a", "late", "suspect"]) announce(view, id, 2_700);
  watching.invalidate();
  const monitors = watching.monitorsOf("suspect", 2_800);
  assert.ok(monitors.includes("late"));
  // Its two fast monitors observe it, so they alone are counted.
  assert.equal(observersOf("suspect", view, watching, 2_800), FAST_MONITORS);
  assert.ok(monitors.length > FAST_MONITORS, `four monitors: ${monitors}`);
});

/** `countObservers` with votes against `suspects`, heard at `atMs`. */
function observersWithVotes(
  suspect: string,
  view: ClusterView,
  watching: WatchedMembers,
  suspects: string[],
  atMs: number,
): number {
  const tally = new Map(
    suspects.map((id) => [`${id}@${view.get(id)!.epoch}`, new Map([["someone", atMs]])]),
  );
  return countObservers(suspect, atMs, {
    selfId: "me",
    view,
    watching,
    tally,
    suspicionTimeoutMs: SUSPICION_MS,
    voteLifetimeMs: 3 * SUSPICION_MS,
  });
}

Deno.test("once a fast monitor of a suspect is suspected itself, its slow monitors observe it too", () => {
  const { view, watching } = membersAtZero("x", "a", "b", "c", "d", "e", "f");
  const monitors = watching.monitorsOf("x", 10);
  assert.equal(monitors.length, 4);
  assert.equal(observersWithVotes("x", view, watching, [], 10), FAST_MONITORS);
  // The nearest monitor died with it: the other fast one and both slow ones observe.
  const nearest = monitors.slice(0, FAST_MONITORS).find((id) => id !== "me")!;
  assert.equal(observersWithVotes("x", view, watching, [nearest], 10), 3);
  // A slow monitor suspected changes nothing while both fast ones observe.
  assert.equal(observersWithVotes("x", view, watching, [monitors[3]], 10), FAST_MONITORS);
});
