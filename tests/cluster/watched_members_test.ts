/**
 * What one host knows of the monitoring ring: which members it hears one
 * heartbeat in four of, and how it counts their silence.
 */

import assert from "node:assert/strict";
import { ClusterView } from "../../cluster/view.ts";
import { WatchedMembers } from "../../cluster/watched_members.ts";
import {
  FAST_MONITORS,
  FULL_RATE_HEARTBEATS_AFTER_CHANGE,
  MonitorRing,
} from "../../cluster/monitors.ts";
import { hostAnnouncement } from "../_helpers/host_announcement.ts";

const HEARTBEAT_MS = 100;

/** A view of `me` and `others`, all sending sparse heartbeats unless `older` lists them. */
function ringOf(others: string[], older: string[] = []) {
  const view = new ClusterView("me");
  for (const id of ["me", ...others]) {
    const capabilities = older.includes(id) ? undefined : ["slow-heartbeat"];
    view.announce(hostAnnouncement(id, { capabilities }), 0);
  }
  const watching = new WatchedMembers("me", view, HEARTBEAT_MS);
  watching.update(0);
  return { view, watching };
}

const others = Array.from({ length: 11 }, (_, i) => `h${i}`);

Deno.test("a host hears slowly exactly the members it is a slow monitor of", () => {
  const { view, watching } = ringOf(others);
  const watched = [...watching.watched(0)];
  assert.equal(watched.length, 4);
  for (const id of watched) {
    const rank = watching.monitorsOf(id, 0).indexOf("me");
    assert.equal(
      watching.hearsSlowly(view.get(id)!, 1_000_000),
      rank >= FAST_MONITORS,
      `${id} rank ${rank}`,
    );
  }
});

Deno.test("the silence of a member heard slowly is counted less the three heartbeats it does not send there", () => {
  const { view, watching } = ringOf(others);
  const watched = [...watching.watched(0)];
  const slow = watched.find((id) => watching.hearsSlowly(view.get(id)!, 1_000_000))!;
  const fast = watched.find((id) => !watching.hearsSlowly(view.get(id)!, 1_000_000))!;
  const at = 2_000;
  for (const id of [slow, fast]) {
    view.announce(hostAnnouncement(id, { capabilities: ["slow-heartbeat"] }), at);
  }
  assert.equal(watching.silenceMs(view.get(fast)!, at + 900), 900);
  assert.equal(watching.silenceMs(view.get(slow)!, at + 900), 900 - 3 * HEARTBEAT_MS);
});

Deno.test("a member that does not send sparse heartbeats (an older host, the Go client) is heard at every beat by all its monitors", () => {
  const { view, watching } = ringOf(others, others);
  for (const id of watching.watched(0)) {
    assert.equal(watching.hearsSlowly(view.get(id)!, 1_000_000), false);
  }
});

/** A member `me` is a slow monitor of, and a new id that becomes one of its fast monitors while `me` stays slow. */
function slowWatchAndNewFastMonitor(view: ClusterView, watching: WatchedMembers) {
  const ring = (ids: string[]) => new MonitorRing(ids.map((hostId) => ({ hostId, watcher: true })));
  const ids = view.hosts().map((h) => h.hostId);
  for (const watched of watching.watched(0)) {
    if (!watching.hearsSlowly(view.get(watched)!, 1_000_000)) continue;
    for (let i = 0; i < 1_000; i++) {
      const candidate = `n${i}`;
      const monitors = ring([...ids, candidate]).monitorsOf(watched);
      if (monitors.indexOf(candidate) < FAST_MONITORS && monitors.indexOf("me") >= FAST_MONITORS) {
        return { watched, candidate };
      }
    }
  }
  throw new Error("no such member on this ring");
}

Deno.test("a slow monitor hears every beat again while a fast monitor of that member is new, and slowly once that change is old", () => {
  const { view, watching } = ringOf(others);
  const { watched, candidate } = slowWatchAndNewFastMonitor(view, watching);
  const changedAt = 50_000;
  view.announce(hostAnnouncement(candidate, { capabilities: ["slow-heartbeat"] }), changedAt);
  watching.invalidate();
  watching.update(changedAt);
  const host = view.get(watched)!;
  assert.equal(
    watching.hearsSlowly(host, changedAt),
    false,
    "the new fast monitor may not have heard it",
  );
  const fullRateMs = FULL_RATE_HEARTBEATS_AFTER_CHANGE * HEARTBEAT_MS;
  assert.equal(watching.hearsSlowly(host, changedAt + fullRateMs - 1), false);
  assert.equal(watching.hearsSlowly(host, changedAt + fullRateMs), true);
});

Deno.test("a monitor that heard a member slowly and becomes a fast one counts its silence the slow way until a beat comes at the new rate", () => {
  const { view, watching } = ringOf(others);
  const slowly = [...watching.watched(0)].find((id) =>
    watching.hearsSlowly(view.get(id)!, 1_000_000)
  )!;
  // Its fast monitors leave: this host moves up to one of them.
  const fast = watching.monitorsOf(slowly, 0).slice(0, FAST_MONITORS).filter((id) => id !== "me");
  const lastSlowBeatMs = 9_000;
  view.announce(hostAnnouncement(slowly, { capabilities: ["slow-heartbeat"] }), lastSlowBeatMs);
  for (const id of fast) view.mark(id, "left", 9_500);
  watching.invalidate();
  watching.update(9_500);
  const promoted = view.get(slowly)!;
  assert.ok(watching.monitorsOf(slowly, 9_500).indexOf("me") < FAST_MONITORS, "now a fast monitor");
  assert.equal(watching.hearsSlowly(promoted, 9_500), false);
  const slack = 3 * HEARTBEAT_MS;
  assert.equal(watching.silenceMs(promoted, 9_900), 900 - slack, "its last beat was a slow one");
  view.announce(hostAnnouncement(slowly, { capabilities: ["slow-heartbeat"] }), 9_700);
  assert.equal(watching.silenceMs(view.get(slowly)!, 9_900), 200, "a beat at the new rate");
});
