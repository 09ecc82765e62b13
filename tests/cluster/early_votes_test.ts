/**
 * Votes heard before their epoch was admitted: a host that joined while
 * `x` was cut off refuses the votes on `x`'s epoch (it never heard it), and
 * later admits that epoch from `x`'s late announcements; the votes it kept
 * are then counted, so it reaches the verdict the others reached (chaos
 * seed 2650 kept `x` a member for good).
 */

import assert from "node:assert/strict";
import { createVirtualClock } from "../../testing.ts";
import { Membership } from "../../cluster/membership.ts";
import { ClusterView } from "../../cluster/view.ts";
import { EarlyVotes, MAX_EARLY_VOTES } from "../../cluster/early_votes.ts";
import { hostAnnouncement } from "../_helpers/host_announcement.ts";

const HEARTBEAT_MS = 100;
const SUSPICION_MS = 500;

/** h0's failure detector with h1..h3 members and no `x` yet. */
function newcomer() {
  const clock = createVirtualClock(1_000_000);
  const view = new ClusterView("h0");
  for (const id of ["h0", "h1", "h2", "h3"]) view.announce(hostAnnouncement(id), clock.now());
  const lost: string[] = [];
  const membership = new Membership(
    {
      selfId: "h0",
      clock,
      view,
      connected: () => true,
      declare: () => {},
      onLost: (l) => lost.push(`${l.hostId}@${l.epoch}`),
    },
    HEARTBEAT_MS,
    SUSPICION_MS,
  );
  membership.start();
  const admitX = (epoch = 9) => view.announce(hostAnnouncement("x", { epoch }), clock.now());
  /** Lets time pass while h1..h3 heartbeat. */
  const pass = async (totalMs: number) => {
    for (let ms = 0; ms < totalMs; ms += HEARTBEAT_MS) {
      for (const id of ["h1", "h2", "h3"]) view.announce(hostAnnouncement(id), clock.now());
      await clock.advance(Math.min(HEARTBEAT_MS, totalMs - ms));
    }
  };
  return { clock, view, membership, lost, admitX, pass };
}

Deno.test("votes on an epoch heard before it was admitted are counted once it is: the verdict follows", async () => {
  const { clock, view, membership, lost, admitX } = newcomer();
  try {
    for (const voter of ["h1", "h2", "h3"]) {
      assert.equal(membership.heardVote(voter, { hostId: "x", epoch: 9 }), "lost-unknown-epoch");
    }
    await clock.advance(HEARTBEAT_MS);
    admitX();
    assert.equal(view.get("x")?.state, "alive");
    await clock.advance(HEARTBEAT_MS);
    assert.equal(view.get("x")?.state, "lost");
    assert.deepEqual(lost, ["x@9"]);
  } finally {
    membership.stop();
  }
});

Deno.test("one member's early vote alone makes no verdict", async () => {
  const { clock, view, membership, lost, admitX } = newcomer();
  try {
    membership.heardVote("h1", { hostId: "x", epoch: 9 });
    admitX();
    await clock.advance(2 * HEARTBEAT_MS);
    assert.equal(view.get("x")?.state, "alive");
    assert.deepEqual(lost, []);
  } finally {
    membership.stop();
  }
});

Deno.test("early votes from non-members, or on another epoch, make no verdict", async () => {
  const { view, membership, lost, admitX, pass } = newcomer();
  try {
    // On epoch 8.
    for (const voter of ["h1", "h2", "h3"]) membership.heardVote(voter, { hostId: "x", epoch: 8 });
    // From hosts that are no members here.
    for (const voter of ["s1", "s2", "s3"]) membership.heardVote(voter, { hostId: "x", epoch: 9 });
    await pass(2 * SUSPICION_MS + HEARTBEAT_MS);
    admitX(9);
    await pass(2 * HEARTBEAT_MS);
    assert.equal(view.get("x")?.state, "alive", "votes on epoch 8 do not judge epoch 9");
    assert.deepEqual(lost, []);
  } finally {
    membership.stop();
  }
});

Deno.test("early votes are kept only while they count, and at most MAX_EARLY_VOTES of them", () => {
  const early = new EarlyVotes(1_000);
  for (let i = 0; i < MAX_EARLY_VOTES + 10; i++) {
    early.note(`v${i}`, { hostId: "x", epoch: 9 }, 0);
  }
  assert.equal(early.size, MAX_EARLY_VOTES);
  const due = early.admitted(500, (id) => id === "x" ? 9 : undefined);
  assert.equal(due.length, MAX_EARLY_VOTES);
  assert.equal(due[0].voter, "v10", "the oldest were pushed out");
  assert.equal(early.size, 0, "what was counted is not kept");
  early.note("v1", { hostId: "x", epoch: 9 }, 0);
  assert.deepEqual(early.admitted(1_001, () => 9), [], "expired");
  assert.equal(early.size, 0);
});

Deno.test("early votes heard longer ago than a vote counts make no verdict", async () => {
  const { view, membership, lost, admitX, pass } = newcomer();
  try {
    for (const voter of ["h1", "h2", "h3"]) membership.heardVote(voter, { hostId: "x", epoch: 9 });
    await pass(2 * SUSPICION_MS + HEARTBEAT_MS);
    admitX(9);
    await pass(2 * HEARTBEAT_MS);
    assert.equal(view.get("x")?.state, "alive");
    assert.deepEqual(lost, []);
  } finally {
    membership.stop();
  }
});
