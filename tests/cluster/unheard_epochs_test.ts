/**
 * A host that missed another's epoch (cut off, for less than a suspicion
 * timeout, while it was announced) still takes part in the verdict on it:
 * a member's vote makes it ask everyone to announce, and when that host
 * stays silent for a full wait after, it votes too. It judges nothing
 * itself, and a live host answers, so such a vote never judges it.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { createVirtualClock, type VirtualClock } from "../../testing.ts";
import { MemoryBus } from "../../transport/memory_bus.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { Membership } from "../../cluster/membership.ts";
import { ClusterView } from "../../cluster/view.ts";
import { MAX_EPOCH_AHEAD_MS, MAX_FOLLOWED, UnheardEpochs } from "../../cluster/unheard_epochs.ts";
import { hostAnnouncement } from "../_helpers/host_announcement.ts";

async function step(clock: VirtualClock, totalMs: number, stepMs = 25): Promise<void> {
  for (let t = 0; t < totalMs; t += stepMs) await clock.advance(stepMs);
}

const hostIn = (system: ActorSystem, hostId: string) =>
  system.hosts().find((h) => h.hostId === hostId);

/** Hosts on one bus and one virtual clock, heartbeating every 100 ms, suspected after 500 ms. */
function cluster() {
  const clock = createVirtualClock(1_000_000);
  const bus = new MemoryBus();
  const started: Promise<ActorSystem>[] = [];
  const start = (hostId: string) => {
    const link = bus.connect();
    const system = ActorSystem.start({
      hostId,
      clock,
      logFailures: false,
      deadLetters: { logPerSecond: 0 },
      log: { level: "error" },
      cluster: { name: "u", transport: link, heartbeatIntervalMs: 100, suspicionTimeoutMs: 500 },
    });
    started.push(system);
    return { link, system };
  };
  const stop = async () => {
    const systems = await Promise.all(started);
    const done = Promise.all(systems.map((h) => h.shutdown({ timeoutMs: 100 })));
    await clock.advance(200);
    await done;
  };
  return { clock, bus, start, stop };
}

Deno.test("a host that was cut off while another joined and died still votes on it, so the other member can judge it", async () => {
  const { clock, start, stop } = cluster();
  const h0 = start("h0");
  const h2 = start("h2");
  await clock.advance(150);
  const [a, c] = [await h0.system, await h2.system];
  try {
    // h2 is cut off for less than a suspicion timeout: nobody notices. Meanwhile
    // w joins (h0 admits it) and dies before h2 is back, so h2 never hears of it.
    h2.link.setConnected(false);
    const w = start("w");
    await step(clock, 150);
    await w.system;
    assert.equal(hostIn(a, "w")?.state, "alive");
    w.link.setConnected(false);
    await step(clock, 100);
    h2.link.setConnected(true);
    assert.equal(hostIn(c, "w"), undefined, "h2 never heard of w");
    // h0 and h2 observe w: a verdict needs both their votes (h2 votes only after
    // its grace after reconnecting, RECONNECT_GRACE_MS).
    await step(clock, 6_000);
    assert.equal(hostIn(a, "w")?.state, "lost");
    assert.equal(hostIn(c, "h0")?.state, "alive");
    assert.equal(hostIn(a, "h2")?.state, "alive");
  } finally {
    await stop();
  }
});

Deno.test("a member's forged vote on a live host's epoch never announced draws a discovery, and no vote and no verdict", async () => {
  const { clock, bus, start, stop } = cluster();
  const systems = ["h0", "h1", "h2"].map((id) => start(id).system);
  await step(clock, 150);
  const [a, , c] = await Promise.all(systems);
  const raw = bus.connect();
  const votes: string[] = [];
  const discoveries: string[] = [];
  raw.subscribe("actors.u.*.lost", (m) => {
    const vote = unpackValue(m.data, () => undefined) as { hostId: string; epoch: number };
    votes.push(`${m.subject.split(".")[2]}: ${vote.hostId}@${vote.epoch}`);
  });
  raw.subscribe("actors.u.*.discover", (m) => discoveries.push(m.subject.split(".")[2]));
  try {
    const epoch = hostIn(a, "h2")!.epoch;
    const forged = epoch + 1_000;
    for (let i = 0; i < 4; i++) {
      raw.publish("actors.u.h1.lost", packValue({ hostId: "h2", epoch: forged }));
      await step(clock, 600);
    }
    await step(clock, 1_000);
    assert.deepEqual(votes, Array(4).fill(`h1: h2@${forged}`), "nobody voted with h1");
    assert.ok(discoveries.includes("h0"), "h0, a monitor of h2, asked everyone to announce");
    for (const system of [a, c]) {
      assert.equal(hostIn(system, "h2")?.state, "alive");
      assert.equal(hostIn(system, "h2")?.epoch, epoch);
    }
  } finally {
    await raw.close();
    await stop();
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

Deno.test("a member's vote on an epoch never heard here makes this host ask everyone to announce, and vote, judging nothing, once the host stays silent", async () => {
  const d = detector();
  try {
    const epoch = d.clock.now() - 2_000;
    assert.equal(d.membership.heardVote("h1", { hostId: "w", epoch }), "lost-unknown-epoch");
    assert.equal(d.probes(), 1);
    await d.run(300);
    assert.deepEqual(d.votes, [], "not before a full suspicion timeout after asking");
    await d.run(400);
    assert.deepEqual(d.votes, [`w@${epoch}`]);
    assert.deepEqual(d.lost, [], "its own vote and one member's are no verdict here");
    assert.equal(d.probes(), 1);
  } finally {
    d.membership.stop();
  }
});

Deno.test("anything heard from the host voted on (an announcement, heartbeat or answer of any epoch) drops the question", async () => {
  const d = detector();
  try {
    d.view.announce(hostAnnouncement("w", { epoch: 5 }), d.clock.now());
    assert.equal(d.membership.heardVote("h1", { hostId: "w", epoch: 9 }), "lost-unknown-epoch");
    await d.run(100);
    d.membership.heardFrom("w");
    // w says nothing more: the question was answered all the same.
    await d.run(1_500);
    assert.deepEqual(d.votes.filter((v) => v === "w@9"), []);
    assert.deepEqual(d.lost, []);
  } finally {
    d.membership.stop();
  }
});

Deno.test("a vote on an epoch this host admits meanwhile is left to the usual rules", async () => {
  const d = detector();
  try {
    assert.equal(d.membership.heardVote("h1", { hostId: "w", epoch: 9 }), "lost-unknown-epoch");
    d.view.announce(hostAnnouncement("w", { epoch: 9 }), d.clock.now());
    await d.run(700);
    assert.deepEqual(d.votes.filter((v) => v === "w@9"), [], "no vote from the question");
  } finally {
    d.membership.stop();
  }
});

Deno.test("votes on unknown epochs from a non-member, or an epoch far ahead of this host's clock, ask nobody and vote on nothing", async () => {
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

Deno.test("everyone is asked at most once per wait, and each epoch is voted on a full wait after the discovery asked after its vote", () => {
  const unheard = new UnheardEpochs(500);
  const never = () => undefined;
  unheard.voted({ hostId: "a", epoch: 10 }, 1_000);
  assert.equal(unheard.ask(1_000), true);
  unheard.voted({ hostId: "b", epoch: 10 }, 1_100);
  assert.equal(unheard.ask(1_100), false, "within the wait");
  unheard.voted({ hostId: "a", epoch: 10 }, 1_200);
  assert.deepEqual(unheard.due(1_499, never), []);
  assert.deepEqual(unheard.due(1_500, never), [{ hostId: "a", epoch: 10 }]);
  // b was voted on after the first discovery: it waits for one of its own.
  assert.deepEqual(unheard.due(1_700, never), []);
  assert.equal(unheard.ask(1_700), true);
  assert.deepEqual(unheard.due(2_199, never), []);
  assert.deepEqual(unheard.due(2_200, never), [{ hostId: "b", epoch: 10 }]);
  assert.deepEqual(unheard.due(5_000, never), [], "each once");
  assert.equal(unheard.ask(5_000), false, "nothing to ask about");
});

Deno.test("a followed epoch is dropped when its host is heard from, or known at that epoch or a newer one", () => {
  const unheard = new UnheardEpochs(500);
  const never = () => undefined;
  unheard.voted({ hostId: "c", epoch: 20 }, 6_000);
  unheard.voted({ hostId: "d", epoch: 20 }, 6_000);
  unheard.voted({ hostId: "e", epoch: 20 }, 6_000);
  assert.equal(unheard.ask(6_000), true);
  unheard.heardFrom("c");
  const known = (id: string) => (id === "d" ? 20 : id === "e" ? 19 : undefined);
  assert.deepEqual(unheard.due(7_000, known), [{ hostId: "e", epoch: 20 }]);
  assert.deepEqual(unheard.due(9_000, never), []);
});

Deno.test("at most MAX_FOLLOWED hosts are followed at once: a flood of made-up votes is dropped", () => {
  const unheard = new UnheardEpochs(500);
  for (let i = 0; i < MAX_FOLLOWED + 10; i++) unheard.voted({ hostId: `x${i}`, epoch: 1 }, 0);
  assert.equal(unheard.ask(0), true);
  assert.equal(unheard.due(500, () => undefined).length, MAX_FOLLOWED);
});

Deno.test("once this host voted on an unheard epoch of a host that is no member here, the other monitors' votes on it are no question again", async () => {
  const d = detector();
  try {
    d.membership.heardVote("h1", { hostId: "w", epoch: 7 });
    await d.run(700);
    assert.deepEqual(d.votes, ["w@7"]);
    // h2 asked and voted too: its vote is agreement now, not a new question.
    assert.equal(d.membership.heardVote("h2", { hostId: "w", epoch: 7 }), undefined);
    await d.run(1_500);
    assert.equal(d.probes(), 1);
    assert.deepEqual(d.lost, [], "nothing judged: w was never a member here");
  } finally {
    d.membership.stop();
  }
});

Deno.test("a forged vote about a made-up host draws one vote from each of its monitors, and then silence", async () => {
  const { clock, bus, start, stop } = cluster();
  const systems = ["h0", "h1", "h2"].map((id) => start(id).system);
  await step(clock, 150);
  await Promise.all(systems);
  const raw = bus.connect();
  const votes: number[] = [];
  raw.subscribe("actors.u.*.lost", () => votes.push(clock.now()));
  try {
    raw.publish("actors.u.h1.lost", packValue({ hostId: "ghost", epoch: 5 }));
    await step(clock, 2_000);
    const early = votes.length;
    assert.ok(early >= 2 && early <= 10, `${early} votes`);
    await step(clock, 5_000);
    assert.equal(votes.length, early, "no vote after the first two seconds");
  } finally {
    await raw.close();
    await stop();
  }
});
