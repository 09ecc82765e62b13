import assert from "node:assert/strict";
import { VoteGuards } from "../../cluster/vote_guards.ts";

const SUSPICION_MS = 500;
const CHECK_MS = 50;

/** One check of the guards at `nowMs`, the one before at `previousCheckMs`, `lateMs` late. */
function check(
  guards: VoteGuards,
  nowMs: number,
  previousCheckMs: number,
  lateMs: number,
  connected: boolean,
): void {
  guards.checked({ nowMs, previousCheckMs, lateMs, connected, intakeLagMs: 0 });
}

/** Runs the guards' checks every 50 ms from `fromMs` to `toMs`, connected or not. */
function checks(guards: VoteGuards, fromMs: number, toMs: number, connected: boolean): void {
  for (let now = fromMs; now <= toMs; now += CHECK_MS) {
    check(guards, now, now - CHECK_MS, 0, connected);
  }
}

Deno.test("a host cut off soon after it started, for longer than a suspicion timeout, is back from a long outage", () => {
  // Chaos seeds 100827 and 100886: cut 360 ms after it joined, it never
  // counted the cut, and disputed the verdict the others had reached forever.
  const guards = new VoteGuards(SUSPICION_MS);
  guards.start(0);
  checks(guards, 50, 350, true);
  checks(guards, 400, 1_700, false);
  checks(guards, 1_750, 1_750, true);
  assert.equal(guards.recentLongOutage(1_760), true);
  assert.equal(guards.recentLongOutage(1_700 + 10 * SUSPICION_MS + 100), false, "not for ever");
});

Deno.test("a cut shorter than a suspicion timeout is no long outage", () => {
  const guards = new VoteGuards(SUSPICION_MS);
  guards.start(0);
  checks(guards, 50, 2_000, true);
  checks(guards, 2_050, 2_300, false);
  checks(guards, 2_350, 2_350, true);
  assert.equal(guards.recentLongOutage(2_360), false);
});

Deno.test("a first check that runs late while the host starts is no outage; a late one later is", () => {
  const guards = new VoteGuards(SUSPICION_MS);
  guards.start(0);
  // Started, then its first check ran 800 ms late (the process was still loading).
  check(guards, 850, 0, 800, true);
  assert.equal(guards.recentLongOutage(860), false);
  checks(guards, 900, 3_000, true);
  check(guards, 3_850, 3_000, 800, true);
  assert.equal(guards.recentLongOutage(3_860), true);
});

Deno.test("a cut that ends in a stalled check counts from the cut's start", () => {
  const guards = new VoteGuards(SUSPICION_MS);
  guards.start(0);
  checks(guards, 50, 1_000, true);
  checks(guards, 1_050, 1_400, false);
  // Back, but the first check ran late: the outage spans the cut and the stall.
  check(guards, 1_700, 1_400, 300, true);
  assert.equal(guards.recentLongOutage(1_710), true);
});

Deno.test("a short cut after a long one does not hide the long one", () => {
  // Chaos seed 500909: cut for 640 ms, then 3 s later for 400 ms; the vote
  // about it that came after the second cut found only the short one.
  const guards = new VoteGuards(SUSPICION_MS);
  guards.start(0);
  checks(guards, 50, 1_000, true);
  checks(guards, 1_050, 1_650, false);
  checks(guards, 1_700, 4_000, true);
  checks(guards, 4_050, 4_400, false);
  checks(guards, 4_450, 4_450, true);
  assert.equal(guards.recentLongOutage(4_460), true);
  assert.equal(guards.recentLongOutage(1_650 + 10 * SUSPICION_MS + 100), false);
});
