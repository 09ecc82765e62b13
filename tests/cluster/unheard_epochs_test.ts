/**
 * A host that missed another's epoch (cut off, for less than a suspicion
 * timeout, while it was announced) still takes part in the verdict on it:
 * a member's vote makes it ask everyone to announce, and when that host
 * does not answer it votes too. A live host answers, so such a vote never
 * judges it.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { createVirtualClock, type VirtualClock } from "../../testing.ts";
import { MemoryBus } from "../../transport/memory_bus.ts";
import { Membership } from "../../cluster/membership.ts";
import { ClusterView } from "../../cluster/view.ts";
import { MAX_EPOCH_AHEAD_MS, UnheardEpochs } from "../../cluster/unheard_epochs.ts";
import { hostAnnouncement } from "../_helpers/host_announcement.ts";

async function step(clock: VirtualClock, totalMs: number, stepMs = 25): Promise<void> {
  for (let t = 0; t < totalMs; t += stepMs) await clock.advance(stepMs);
}

const state = (system: ActorSystem, hostId: string) =>
  system.hosts().find((h) => h.hostId === hostId)?.state;

Deno.test("a host that was cut off while another joined and died still votes on it, so the other member can judge it", async () => {
  const clock = createVirtualClock(1_000_000);
  const bus = new MemoryBus();
  const start = (hostId: string) => {
    const link = bus.connect();
    const system = ActorSystem.start({
      hostId,
      clock,
      logFailures: false,
      deadLetters: { logPerSecond: 0 },
      cluster: { name: "u", transport: link, heartbeatIntervalMs: 100, suspicionTimeoutMs: 500 },
    });
    return { link, system };
  };
  const h0 = start("h0");
  const h2 = start("h2");
  await clock.advance(150);
  const hosts = [await h0.system, await h2.system];
  let late: ActorSystem | undefined;
  try {
    // h2 is cut off for less than a suspicion timeout: nobody notices. Meanwhile
    // w joins (h0 admits it) and dies before h2 is back, so h2 never hears of it.
    h2.link.setConnected(false);
    const w = start("w");
    await step(clock, 150);
    late = await w.system;
    assert.equal(state(hosts[0], "w"), "alive");
    w.link.setConnected(false);
    await step(clock, 100);
    h2.link.setConnected(true);
    assert.equal(state(hosts[1], "w"), undefined, "h2 never heard of w");
    // h0 and h2 observe w: a verdict needs both their votes (h2 votes only after
    // its grace after reconnecting, RECONNECT_GRACE_MS).
    await step(clock, 6_000);
    assert.equal(state(hosts[0], "w"), "lost");
    assert.equal(state(hosts[1], "h0"), "alive");
    assert.equal(state(hosts[0], "h2"), "alive");
  } finally {
    const done = Promise.all(
      [...hosts, ...(late ? [late] : [])].map((h) => h.shutdown({ timeoutMs: 100 })),
    );
    await clock.advance(200);
    await done;
  }
});

/** One host's failure detector with a view built by hand: h0 (self), h1 and h2 heartbeating. */
function detector() {
  const clock = createVirtualClock(1_000_000);
  const view = new ClusterView("h0");
  const heartbeat = () => {
    for (const id of ["h0", "h1", "h2"]) {
      view.announce(hostAnnouncement(id, { inbox: `actors.m.*.to.${id}` }), clock.now());
    }
  };
  heartbeat();
  const votes: string[] = [];
  const lost: string[] = [];
  let probes = 0;
  const membership = new Membership(
    {
      selfId: "h0",
      clock,
      view,
      connected: () => true,
      declare: (vote) => votes.push(`${vote.hostId}@${vote.epoch}`),
      onLost: (verdict) => lost.push(`${verdict.hostId}@${verdict.epoch}`),
      probe: () => probes++,
    },
    100,
    500,
  );
  membership.start();
  /** Advances time with h1 and h2 heartbeating. */
  const run = async (totalMs: number) => {
    for (let t = 0; t < totalMs; t += 50) {
      heartbeat();
      await clock.advance(50);
    }
  };
  return { clock, view, membership, votes, lost, probes: () => probes, run };
}

Deno.test("a member's vote on an epoch never heard here makes this host ask everyone to announce, and vote once the host stays silent", async () => {
  const d = detector();
  try {
    const epoch = d.clock.now() - 2_000;
    assert.equal(d.membership.heardVote("h1", { hostId: "w", epoch }), "lost-unknown-epoch");
    assert.equal(d.probes(), 1);
    await d.run(300);
    assert.deepEqual(d.votes, [], "not before a suspicion timeout");
    await d.run(400);
    assert.deepEqual(d.votes, [`w@${epoch}`]);
    assert.deepEqual(d.lost, [`w@${epoch}`]);
  } finally {
    d.membership.stop();
  }
});

Deno.test("a host that answers the discovery is not voted on: a vote about a live host's made-up epoch judges nothing", async () => {
  const d = detector();
  try {
    d.view.announce(hostAnnouncement("w", { epoch: 5 }), d.clock.now());
    assert.equal(d.membership.heardVote("h1", { hostId: "w", epoch: 9 }), "lost-unknown-epoch");
    for (let t = 0; t < 1_000; t += 50) {
      d.view.announce(hostAnnouncement("w", { epoch: 5 }), d.clock.now());
      await d.run(50);
    }
    assert.deepEqual(d.votes, []);
    assert.deepEqual(d.lost, []);
  } finally {
    d.membership.stop();
  }
});

Deno.test("votes on unknown epochs from a non-member, or an epoch far ahead of this host's clock, ask nobody and judge nothing", async () => {
  const d = detector();
  try {
    d.membership.heardVote("stranger", { hostId: "w", epoch: d.clock.now() });
    d.membership.heardVote("h1", { hostId: "v", epoch: d.clock.now() + MAX_EPOCH_AHEAD_MS + 1 });
    assert.equal(d.probes(), 0);
    await d.run(1_500);
    assert.deepEqual(d.votes, []);
    assert.deepEqual(d.lost, []);
  } finally {
    d.membership.stop();
  }
});

Deno.test("a host that is not among the suspect's monitors leaves the vote to those that are", async () => {
  const d = detector();
  try {
    // In a larger cluster h0 monitors only some hosts: find one it does not.
    const ids = Array.from({ length: 12 }, (_, i) => `m${i}`);
    for (const id of ids) d.view.announce(hostAnnouncement(id), d.clock.now());
    const unwatched = Array.from({ length: 50 }, (_, i) => `w${i}`).find((id) =>
      !d.membership.watches(id)
    )!;
    assert.notEqual(unwatched, undefined);
    d.membership.heardVote("h1", { hostId: unwatched, epoch: d.clock.now() });
    assert.equal(d.probes(), 0);
    for (let t = 0; t < 1_500; t += 50) {
      for (const id of ids) d.view.announce(hostAnnouncement(id), d.clock.now());
      await d.run(50);
    }
    assert.equal(d.votes.filter((v) => v.startsWith(`${unwatched}@`)).length, 0);
  } finally {
    d.membership.stop();
  }
});

Deno.test("discoveries for unheard epochs are asked at most once per wait, and each epoch is voted on once", () => {
  const unheard = new UnheardEpochs(500);
  assert.equal(unheard.voted({ hostId: "a", epoch: 10 }, 1_000), true);
  assert.equal(unheard.voted({ hostId: "b", epoch: 10 }, 1_100), false, "within the wait");
  assert.equal(unheard.voted({ hostId: "a", epoch: 10 }, 1_200), false, "the same epoch again");
  const never = () => undefined;
  assert.deepEqual(unheard.due(1_400, never, never), []);
  assert.deepEqual(unheard.due(1_550, never, never), [{ hostId: "a", epoch: 10 }]);
  assert.deepEqual(unheard.due(1_650, never, never), [{ hostId: "b", epoch: 10 }]);
  assert.deepEqual(unheard.due(5_000, never, never), []);
  // Heard from since the vote, or known at that epoch by now: dropped.
  unheard.voted({ hostId: "c", epoch: 20 }, 6_000);
  assert.deepEqual(unheard.due(7_000, () => 6_100, never), []);
  unheard.voted({ hostId: "d", epoch: 20 }, 8_000);
  assert.deepEqual(unheard.due(8_100, never, () => 20), []);
  assert.deepEqual(unheard.due(9_000, never, never), []);
});
