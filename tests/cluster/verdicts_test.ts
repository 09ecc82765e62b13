/**
 * Votes, disputes and goodbyes on the in-memory bus and a virtual clock:
 * what a forged message from one member does to the others, and to the host
 * it names. (The same with real processes: verdicts_processes_test.ts.)
 */

import assert from "node:assert/strict";
import type { ActorSystem } from "../../mod.ts";
import { createVirtualClock, type VirtualClock } from "../../testing.ts";
import { MemoryBus, type MemoryTransport } from "../../transport/memory_bus.ts";
import { packValue } from "../../cluster/codec.ts";
import { Counter } from "../_helpers/actors.ts";
import { startMemoryHosts } from "../_helpers/memory_cluster.ts";

async function trio(count = 3): Promise<{
  clock: VirtualClock;
  hosts: ActorSystem[];
  raw: MemoryTransport;
  step: (ms: number) => Promise<void>;
  stop: () => Promise<void>;
}> {
  const clock = createVirtualClock(1_000_000);
  const bus = new MemoryBus();
  const links = Array.from({ length: count }, () => bus.connect());
  const hosts = await startMemoryHosts(clock, links, { level: "error" });
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 25) await clock.advance(25);
  };
  await step(150);
  return {
    clock,
    hosts,
    raw: bus.connect(),
    step,
    stop: async () => {
      const done = Promise.all(hosts.map((h) => h.shutdown({ timeoutMs: 100 })));
      await clock.advance(200);
      await done;
    },
  };
}

const hostIn = (system: ActorSystem, hostId: string) =>
  system.hosts().find((h) => h.hostId === hostId)!;

Deno.test("one member's lost vote does not fence a live host: it disputes, and nobody declares it lost", async () => {
  const { hosts: [a, b, c], raw, step, stop } = await trio();
  try {
    const counter = c.spawn(Counter, { name: "kept" });
    counter.tell("add", 3);
    const epoch = hostIn(c, "h2").epoch;
    for (let i = 0; i < 5; i++) {
      raw.publish("actors.m.h0.lost", packValue({ hostId: "h2", epoch }));
      await step(100);
    }
    await step(1_000);
    for (const system of [a, b, c]) assert.equal(hostIn(system, "h2").state, "alive");
    assert.equal(hostIn(a, "h2").epoch, epoch, "h2 kept its epoch");
    assert.equal(counter.stats().status, "running");
    assert.equal(await counter.ask("get"), 3);
  } finally {
    await stop();
  }
});

Deno.test("votes for an epoch never announced, or for a host never heard, are refused and counted", async () => {
  const { hosts: [a, , c], raw, step, stop } = await trio();
  try {
    const epoch = hostIn(c, "h2").epoch;
    raw.publish("actors.m.h1.lost", packValue({ hostId: "h2", epoch: epoch + 1e12 }));
    raw.publish("actors.m.h1.lost", packValue({ hostId: "ghost", epoch: 5 }));
    raw.publish("actors.m.stranger.lost", packValue({ hostId: "h2", epoch }));
    await step(1_000);
    assert.equal(hostIn(a, "h2").state, "alive", "no ban of h2");
    const report = (await a.inspect()).hosts.find((h) => h.hostId === "h0")!;
    assert.equal(report.refused?.["lost-unknown-epoch"], 2);
    assert.equal(report.refused?.["lost-from-non-member"], 1);
  } finally {
    await stop();
  }
});

Deno.test("a goodbye forged in a live host's name: the host stops its actors and rejoins, so nothing runs twice", async () => {
  const { hosts: [a, , c], raw, step, stop } = await trio();
  try {
    const counter = c.spawn(Counter, { name: "moved" });
    const epoch = hostIn(c, "h2").epoch;
    raw.publish("actors.m.h2.leave", new TextEncoder().encode("h2"));
    await step(500);
    assert.equal(counter.stats().status, "stopped", "the host's own actors stopped");
    assert.equal(c.deaths.last(counter)?.kind, "host-lost");
    const back = hostIn(a, "h2");
    assert.equal(back.state, "alive");
    assert.ok(back.epoch > epoch, "it rejoined as a new epoch");
  } finally {
    await stop();
  }
});

Deno.test("two members' votes are a verdict in a cluster of three", async () => {
  const { hosts: [a], raw, step, stop } = await trio();
  try {
    const epoch = hostIn(a, "h2").epoch;
    raw.publish("actors.m.h1.lost", packValue({ hostId: "h2", epoch }));
    await step(25);
    assert.equal(hostIn(a, "h2").state, "alive", "one vote is no verdict");
    raw.publish("actors.m.h0.lost", packValue({ hostId: "h2", epoch }));
    await step(25);
    // h0 does not count a vote on its own subject that it did not cast: still one.
    assert.equal(hostIn(a, "h2").state, "alive");
    raw.publish("actors.m.h1.lost", packValue({ hostId: "h2", epoch }));
    await step(600);
    // h2 counted the two votes about itself and fenced: a new epoch now.
    assert.ok(hostIn(a, "h2").epoch > epoch);
  } finally {
    await stop();
  }
});

Deno.test("a higher epoch announced in a live host's name long before it is judged lost is not admitted: its real new epoch is", async () => {
  const { hosts, raw, step, stop } = await trio(4);
  const [a, , , d] = hosts;
  try {
    const real = hostIn(a, "h3");
    const forged = real.epoch + 60_000;
    for (let i = 0; i < 4; i++) {
      const { hostId, labels, inbox, protocol, startedAtMs } = real;
      const announcement = { hostId, labels, inbox, protocol, startedAtMs, epoch: forged };
      raw.publish("actors.m.h3.announce", packValue(announcement));
      await step(100);
    }
    await step(3_000);
    for (const system of hosts) assert.equal(hostIn(system, "h3").epoch, real.epoch);
    // Three members' votes: a verdict everywhere before h3 can rejoin.
    for (const voter of ["h0", "h1", "h2"]) {
      raw.publish(`actors.m.${voter}.lost`, packValue({ hostId: "h3", epoch: real.epoch }));
    }
    await step(2_000);
    const rejoined = hostIn(d, "h3").epoch;
    assert.ok(
      rejoined > real.epoch && rejoined !== forged,
      "h3 rejoined as a new epoch of its own",
    );
    for (const system of hosts) {
      const seen = hostIn(system, "h3");
      assert.equal(
        `${seen.state}@${seen.epoch}`,
        `alive@${rejoined}`,
        `in ${system.hosts().find((h) => h.self)!.hostId}'s view`,
      );
    }
  } finally {
    await stop();
  }
});

Deno.test("a host that rejoins after a higher epoch was announced in its name takes an epoch above it, and the others admit it", async () => {
  const { hosts, raw, step, stop } = await trio(4);
  const [a, , , d] = hosts;
  try {
    const real = hostIn(a, "h3");
    const forged = real.epoch + 60_000;
    const { hostId, labels, inbox, protocol, startedAtMs } = real;
    const announcement = packValue({ hostId, labels, inbox, protocol, startedAtMs, epoch: forged });
    raw.publish("actors.m.h3.announce", announcement);
    await step(100);
    raw.publish("actors.m.h3.announce", announcement);
    // Three members' votes while the made-up epoch is fresh: it is admitted at the verdict.
    for (const voter of ["h0", "h1", "h2"]) {
      raw.publish(`actors.m.${voter}.lost`, packValue({ hostId: "h3", epoch: real.epoch }));
    }
    await step(4_000);
    const rejoined = hostIn(d, "h3").epoch;
    assert.ok(rejoined > forged, "h3 rejoined above the made-up epoch");
    for (const system of hosts) {
      const seen = hostIn(system, "h3");
      const where = system.hosts().find((h) => h.self)!.hostId;
      assert.equal(`${seen.state}@${seen.epoch}`, `alive@${rejoined}`, `in ${where}'s view`);
    }
  } finally {
    await stop();
  }
});
