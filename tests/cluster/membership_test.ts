import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { createVirtualClock, type VirtualClock } from "../../testing.ts";
import { MemoryBus, type MemoryTransport } from "../../transport/memory_bus.ts";
import { Counter } from "../_helpers/actors.ts";
import { MonitorRing } from "../../cluster/monitors.ts";
import { Membership } from "../../cluster/membership.ts";
import { ClusterView } from "../../cluster/view.ts";
import { hostAnnouncement } from "../_helpers/host_announcement.ts";
import { startMemoryHosts } from "../_helpers/memory_cluster.ts";

/** Three hosts on one bus and one virtual clock; their transports are kept for the test to cut. */
async function trio(): Promise<{
  clock: VirtualClock;
  hosts: ActorSystem[];
  links: MemoryTransport[];
  stop: () => Promise<void>;
}> {
  const clock = createVirtualClock(1_000_000);
  const bus = new MemoryBus();
  const links = [bus.connect(), bus.connect(), bus.connect()];
  const hosts = await startMemoryHosts(clock, links);
  await clock.advance(150);
  return {
    clock,
    hosts,
    links,
    stop: async () => {
      for (const link of links) link.setConnected(true);
      const done = Promise.all(hosts.map((h) => h.shutdown({ timeoutMs: 100 })));
      await clock.advance(200);
      await done;
    },
  };
}

const state = (system: ActorSystem, hostId: string) =>
  system.hosts().find((h) => h.hostId === hostId)?.state;

async function step(clock: VirtualClock, totalMs: number, stepMs = 25): Promise<void> {
  for (let t = 0; t < totalMs; t += stepMs) await clock.advance(stepMs);
}

Deno.test("a host that stops heartbeating is declared lost by every other host after the suspicion timeout", async () => {
  const { clock, hosts: [a, b], links, stop } = await trio();
  try {
    assert.equal(state(a, "h2"), "alive");
    const changes: string[] = [];
    const unsubscribe = a.onHostChange((host) => changes.push(`${host.hostId}:${host.state}`));
    await links[2].close(); // a crash: no goodbye, no more heartbeats
    await step(clock, 400);
    assert.equal(state(a, "h2"), "alive", "not yet: within the suspicion timeout");
    await step(clock, 300);
    assert.equal(state(a, "h2"), "lost");
    assert.equal(state(b, "h2"), "lost");
    assert.equal(state(a, "h1"), "alive", "the others stay alive");
    assert.deepEqual(changes, ["h2:lost"], "onHostChange reports the change once");
    unsubscribe();
  } finally {
    await stop();
  }
});

Deno.test("hosts that keep heartbeating are never declared lost", async () => {
  const { clock, hosts, stop } = await trio();
  try {
    await step(clock, 10_000, 50);
    for (const host of hosts) {
      assert.deepEqual(host.hosts().map((h) => h.state), ["alive", "alive", "alive"]);
    }
  } finally {
    await stop();
  }
});

Deno.test("a host that was cut off and comes back stops its old actors and rejoins as a new epoch", async () => {
  const { clock, hosts: [a, , c], links, stop } = await trio();
  try {
    const counter = c.spawn(Counter, { name: "stale" });
    await counter.ask("get");
    const oldEpoch = c.hosts().find((h) => h.self)!.epoch;
    links[2].setConnected(false); // like SIGSTOP or a network cut
    await step(clock, 800);
    assert.equal(state(a, "h2"), "lost");
    assert.equal(state(c, "h0"), "alive", "the cut-off host does not declare the others lost");
    links[2].setConnected(true);
    await step(clock, 300);
    assert.equal(counter.stats().status, "stopped", "its stale actor stopped");
    const record = c.deaths.last(counter);
    assert.equal(record?.kind, "host-lost");
    const rejoined = a.hosts().find((h) => h.hostId === "h2")!;
    assert.equal(rejoined.state, "alive");
    assert.ok(rejoined.epoch > oldEpoch, "as a new epoch");
    assert.equal(c.status, "running");
  } finally {
    await stop();
  }
});

Deno.test("a host that stalled (its own timers ran late) declares nobody lost", async () => {
  const { clock, hosts: [a], stop } = await trio();
  try {
    clock.jump(3_000); // nothing ran for 3 s, on every host
    await step(clock, 200);
    assert.deepEqual(a.hosts().map((h) => h.state), ["alive", "alive", "alive"]);
  } finally {
    await stop();
  }
});

Deno.test("a graceful leave removes a host at once and is not a loss", async () => {
  const { clock, hosts: [a, b], stop } = await trio();
  try {
    const done = b.shutdown({ timeoutMs: 100 });
    await clock.advance(10);
    await done;
    assert.equal(state(a, "h1"), "left");
    await step(clock, 1_000);
    assert.equal(state(a, "h1"), "left");
  } finally {
    await stop();
  }
});

Deno.test("a suspicion timeout not above twice the heartbeat is refused", async () => {
  await assert.rejects(
    ActorSystem.start({
      cluster: {
        name: "x",
        transport: new MemoryBus().connect(),
        heartbeatIntervalMs: 500,
        suspicionTimeoutMs: 900,
      },
    }),
    (err: Error) => err.name === "InvalidOptionError" && /suspicionTimeoutMs/.test(err.message),
  );
});

Deno.test("a host cut off while a verdict was published, that does not monitor the lost host, learns it when it discovers the cluster again", async () => {
  const clock = createVirtualClock(1_000_000);
  const bus = new MemoryBus({ clock });
  const ids = Array.from({ length: 12 }, (_, i) => `h${i}`);
  const links = ids.map(() => bus.connect());
  const hosts: ActorSystem[] = [];
  for (const [i, hostId] of ids.entries()) {
    hosts.push(
      await ActorSystem.start({
        hostId,
        clock,
        logFailures: false,
        deadLetters: { logPerSecond: 0 },
        log: { level: "error" },
        cluster: {
          name: "m",
          transport: links[i],
          heartbeatIntervalMs: 100,
          suspicionTimeoutMs: 1_000,
        },
      }),
    );
  }
  try {
    await step(clock, 1_000);
    const ring = new MonitorRing(ids.map((hostId) => ({ hostId, watcher: true })));
    const lost = "h0";
    const away = ids.find((id) => id !== lost && !ring.monitorsOf(lost).includes(id))!;
    const cutOff = ids.indexOf(away);
    links[0].setConnected(false); // h0 is gone for good
    await step(clock, 600);
    links[cutOff].setConnected(false); // shorter than a suspicion timeout: not lost itself
    await step(clock, 700);
    assert.equal(state(hosts[1 + (cutOff === 1 ? 1 : 0)], lost), "lost", "the others judged h0");
    assert.equal(state(hosts[cutOff], lost), "alive", "the cut-off host missed the verdict");
    links[cutOff].setConnected(true);
    await step(clock, 500);
    assert.equal(state(hosts[cutOff], lost), "lost");
    assert.equal(state(hosts[1 + (cutOff === 1 ? 1 : 0)], away), "alive", "it was not lost itself");
  } finally {
    for (const link of links) link.setConnected(true);
    const done = Promise.all(hosts.map((h) => h.shutdown({ timeoutMs: 100 })));
    await clock.advance(200);
    await done;
  }
});

Deno.test("a host whose own heartbeats come back late (its intake is flooded) votes nobody lost, and votes once they come back in time", async () => {
  const clock = createVirtualClock(1_000_000);
  const view = new ClusterView("h0");
  const announce = (hostId: string) =>
    view.announce(hostAnnouncement(hostId, { inbox: `actors.m.*.to.${hostId}` }), clock.now());
  for (const id of ["h0", "h1", "h2"]) announce(id);
  const votes: string[] = [];
  let intakeLagMs = 0;
  const membership = new Membership(
    {
      selfId: "h0",
      clock,
      view,
      connected: () => true,
      declare: (lost) => votes.push(lost.hostId),
      onLost: () => {},
      intakeLagMs: () => intakeLagMs,
    },
    100,
    500,
  );
  membership.start();
  try {
    // h1 and h2 are silent, but h0's own heartbeats have been on their way for a second.
    intakeLagMs = 1_000;
    await step(clock, 2_000);
    assert.deepEqual(votes, []);
    intakeLagMs = 0;
    await step(clock, 1_000);
    assert.deepEqual(votes.sort(), ["h1", "h2"]);
  } finally {
    membership.stop();
  }
});

/** h0's failure detector with a view built by hand: h1 and h2 members, `w` at epoch 9. */
function detectorWithW() {
  const clock = createVirtualClock(1_000_000);
  const view = new ClusterView("h0");
  for (const id of ["h0", "h1", "h2"]) view.announce(hostAnnouncement(id), clock.now());
  view.announce(hostAnnouncement("w", { epoch: 9 }), clock.now());
  const votes: string[] = [];
  const membership = new Membership(
    {
      selfId: "h0",
      clock,
      view,
      connected: () => true,
      declare: (lost) => votes.push(`${lost.hostId}@${lost.epoch}`),
      onLost: () => {},
    },
    100,
    500,
  );
  return { clock, view, membership, votes };
}

Deno.test("a member still voting on an older epoch of a host (it missed that the host started again) is answered with this host's vote on it, three times at most", async () => {
  const { clock, membership, votes } = detectorWithW();
  assert.ok(membership.watches("w"));
  for (let i = 0; i < 5; i++) {
    assert.equal(membership.heardVote("h1", { hostId: "w", epoch: 5 }), undefined);
    await clock.advance(100);
  }
  assert.deepEqual(votes, ["w@5", "w@5", "w@5"]);
});

Deno.test("an older epoch than one judged lost here is answered the same way", async () => {
  const { clock, view, membership, votes } = detectorWithW();
  await clock.advance(10);
  membership.heardVote("h1", { hostId: "w", epoch: 9 });
  membership.heardVote("h2", { hostId: "w", epoch: 9 });
  assert.equal(view.get("w")?.state, "lost");
  votes.length = 0;
  membership.heardVote("h1", { hostId: "w", epoch: 3 });
  assert.deepEqual(votes, ["w@3"]);
});

Deno.test("a vote on an older epoch from a non-member, or one from a discovery answer, is answered with nothing", () => {
  const { membership, votes } = detectorWithW();
  membership.heardVote("stranger", { hostId: "w", epoch: 5 });
  membership.heardVote("h1", { hostId: "w", epoch: 5 }, true);
  assert.deepEqual(votes, []);
});
