/**
 * Failure verdicts that one member cannot force. An attacker with a plain
 * NATS client on the cluster's server (no per-member permissions) publishes
 * as one member, or as made-up ones; real nats-server, real agent processes,
 * and this process as host "driver". A real `kill -9` is still declared lost,
 * by two witnesses, and its actors restart elsewhere.
 */

import assert from "node:assert/strict";
import { type ActorSystem, childSpec, defineSupervisor, type HostInfo } from "../../mod.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { NatsTransport } from "../../transport/nats_transport.ts";
import type { Transport } from "../../transport/transport.ts";
import { ProcCounter } from "../_helpers/cluster_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";

const AGENTS = [{ hostId: "a1" }, { hostId: "a2" }, { hostId: "a3" }];

const hostOf = (driver: ActorSystem, hostId: string): HostInfo | undefined =>
  driver.hosts().find((h) => h.hostId === hostId);

/** A raw NATS connection, closed with the test. */
async function attacker(cleanup: AsyncDisposableStack, url: string): Promise<Transport> {
  const raw = await NatsTransport.connect(url);
  cleanup.defer(() => raw.close());
  return raw;
}

/**
 * Lets `hostId` heartbeat for a few suspicion timeouts more, as seen from the
 * driver: long enough for any verdict the forgery could cause.
 */
async function heardForAWhile(driver: ActorSystem, hostId: string): Promise<void> {
  const from = hostOf(driver, hostId)?.lastSeenMs ?? Date.now();
  await waitFor(
    () => (hostOf(driver, hostId)?.lastSeenMs ?? 0) >= from + 3_000,
    `${hostId} heard 3 s after the forgery`,
    30_000,
  );
}

/** Whatever the driver saw change, for the assertion messages. */
function watchChanges(driver: ActorSystem): string[] {
  const changes: string[] = [];
  driver.onHostChange((host) => changes.push(`${host.hostId}:${host.state}:${host.epoch}`));
  return changes;
}

Deno.test("one forged lost vote against a live host does not fence it; votes for epochs never announced are refused", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, { cluster: "forge", agents: AGENTS });
  const driver = await startDriver(cleanup, server, { cluster: "forge", hosts: 4 });
  const counter = await driver.spawn(ProcCounter, { placement: { kind: "host", hostId: "a3" } });
  counter.tell("add", 5);
  assert.equal(await counter.ask("get"), 5);
  const epoch = hostOf(driver, "a3")!.epoch;
  const changes = watchChanges(driver);
  const raw = await attacker(cleanup, server.url);

  // As member a1 (an open server lets anyone publish on a1's subject): "a3 is lost".
  for (let i = 0; i < 3; i++) {
    raw.publish("actors.forge.a1.lost", packValue({ hostId: "a3", epoch }));
    await raw.flush();
  }
  // A far-future epoch, and a host that never was: refused, and no ban.
  raw.publish("actors.forge.mallory.lost", packValue({ hostId: "a3", epoch: epoch + 1e12 }));
  raw.publish("actors.forge.mallory.lost", packValue({ hostId: "nobody", epoch: 1 }));
  await raw.flush();
  await heardForAWhile(driver, "a3");

  assert.deepEqual(changes, [], "no host changed state");
  const a3 = hostOf(driver, "a3")!;
  assert.equal(a3.state, "alive");
  assert.equal(a3.epoch, epoch, "a3 kept its epoch: it never fenced itself");
  assert.equal(await counter.ask("get"), 5, "its actor kept running, with its state");
  const { hosts } = await driver.inspect();
  for (const report of hosts) {
    assert.ok(
      (report.refused?.["lost-unknown-epoch"] ?? 0) >= 2,
      `${report.hostId} counted the votes for unknown epochs: ${JSON.stringify(report.refused)}`,
    );
  }
});

Deno.test("a forged announcement of a live host with a higher epoch does not get the real one declared lost", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, { cluster: "epochs", agents: AGENTS });
  const driver = await startDriver(cleanup, server, { cluster: "epochs", hosts: 4 });
  const counter = await driver.spawn(ProcCounter, { placement: { kind: "host", hostId: "a3" } });
  counter.tell("add", 2);
  assert.equal(await counter.ask("get"), 2);
  const real = hostOf(driver, "a3")!;
  const changes = watchChanges(driver);
  const raw = await attacker(cleanup, server.url);
  const forged = {
    hostId: "a3",
    labels: real.labels,
    actorCount: 0,
    mailboxDepth: 0,
    startedAtMs: real.startedAtMs,
    epoch: real.epoch + 60_000,
    inbox: "actors.epochs.*.to.a3",
    protocol: 2,
  };
  // Heartbeats of the made-up epoch, in a plausible pattern.
  for (let i = 0; i < 8; i++) {
    raw.publish("actors.epochs.a3.announce", packValue(forged));
    await raw.flush();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await heardForAWhile(driver, "a3");

  assert.deepEqual(changes, [], "no host changed state");
  assert.equal(hostOf(driver, "a3")!.epoch, real.epoch, "the real epoch is the member");
  assert.equal(await counter.ask("get"), 2, "the real host's actor kept running");
  const report = (await driver.inspect()).hosts.find((h) => h.hostId === "driver")!;
  assert.ok((report.refused?.["epoch-conflict"] ?? 0) >= 1, JSON.stringify(report.refused));
});

Deno.test("20,000 made-up announcements leave the view bounded and get no lost messages", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, { cluster: "flood", agents: AGENTS });
  const driver = await startDriver(cleanup, server, { cluster: "flood", hosts: 4 });
  const raw = await attacker(cleanup, server.url);
  // A loaded machine may delay a real host's heartbeat enough for one vote
  // (never a verdict): only votes about the made-up hosts are a flood.
  const losts: string[] = [];
  raw.subscribe("actors.flood.*.lost", (m) => {
    const vote = unpackValue(m.data, () => undefined) as { hostId?: string } | undefined;
    if (vote?.hostId?.startsWith("fake-")) losts.push(`${m.subject}: ${vote.hostId}`);
  });
  await raw.flush();
  for (let i = 0; i < 20_000; i++) {
    raw.publish(
      `actors.flood.fake-${i}.announce`,
      packValue({
        hostId: `fake-${i}`,
        labels: {},
        actorCount: 0,
        mailboxDepth: 0,
        startedAtMs: 1,
        epoch: 1,
        inbox: `actors.flood.*.to.fake-${i}`,
        protocol: 2,
      }),
    );
    if (i % 1_000 === 999) await raw.flush();
  }
  await raw.flush();
  // Long past the suspicion timeout of any of them.
  await heardForAWhile(driver, "a1");
  assert.equal(driver.hosts().length, 4, "only the real hosts are in the view");
  assert.deepEqual(losts, [], "no made-up host was voted lost");
  assert.deepEqual(driver.hosts().map((h) => h.state), ["alive", "alive", "alive", "alive"]);
  const { hosts } = await driver.inspect();
  assert.deepEqual(hosts.map((h) => h.hostId).sort(), ["a1", "a2", "a3", "driver"]);
});

const Workers = defineSupervisor({
  type: "verdict-workers",
  strategy: { kind: "one_for_one", maxRestarts: 5, withinMs: 60_000 },
  children: [
    childSpec(ProcCounter, { id: "w", placement: { kind: "spread", labels: { role: "worker" } } }),
  ],
});

Deno.test("a host killed with SIGKILL is declared lost by two witnesses, and its actors restart elsewhere", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server, agents } = await startServerAndAgents(cleanup, {
    cluster: "kill",
    agents: AGENTS.map((a) => ({ ...a, labels: "role=worker" })),
  });
  const driver = await startDriver(cleanup, server, { cluster: "kill", hosts: 4 });
  const raw = await attacker(cleanup, server.url);
  const voters = new Set<string>();
  raw.subscribe("actors.kill.*.lost", (m) => voters.add(m.subject.split(".")[2]));
  await raw.flush();
  const sup = driver.spawn(Workers);
  let [child] = await sup.ask("which");
  await waitFor(
    async () => ([child] = await sup.ask("which"), child.status === "remote"),
    "the child",
    20_000,
  );
  const where = child.hostId!;
  const victim = agents.find((a) => a.hostId === where)!;
  const status = await victim.kill();
  assert.equal(status.signal, "SIGKILL");
  await waitFor(() => hostOf(driver, where)?.state === "lost", `${where} declared lost`, 30_000);
  await waitFor(
    async () => ([child] = await sup.ask("which"),
      child.status === "remote" && child.hostId !== where),
    "the child restarted on a live host",
    30_000,
  );
  assert.equal(child.restarts, 1);
  assert.ok(voters.size >= 2, `two witnesses or more voted: ${[...voters]}`);
  assert.ok(!voters.has(where), "not the lost host itself");
});

Deno.test("a frozen host (SIGSTOP) is declared lost, and fences itself when it wakes: two witnesses still make a verdict", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server, agents } = await startServerAndAgents(cleanup, {
    cluster: "frozen",
    agents: AGENTS,
  });
  const driver = await startDriver(cleanup, server, { cluster: "frozen", hosts: 4 });
  const counter = await driver.spawn(ProcCounter, { placement: { kind: "host", hostId: "a3" } });
  assert.equal(await counter.ask("get"), 0);
  const epoch = hostOf(driver, "a3")!.epoch;
  const stopped = driver.whenStopped(counter);
  const frozen = agents.find((a) => a.hostId === "a3")!;
  frozen.process.kill("SIGSTOP");
  try {
    await waitFor(() => hostOf(driver, "a3")?.state === "lost", "a3 declared lost", 30_000);
  } finally {
    frozen.process.kill("SIGCONT");
  }
  assert.equal((await stopped)?.kind, "host-lost");
  await waitFor(
    () => hostOf(driver, "a3")?.state === "alive" && hostOf(driver, "a3")!.epoch > epoch,
    "a3 back as a new epoch",
    30_000,
  );
  const { deaths } = await driver.inspect({ recent: 100 });
  assert.ok(
    deaths.some((d) => d.actor.id === counter.id && d.hostId === "a3" && d.kind === "host-lost"),
    "its own activation stopped when it learned it was lost (it fenced itself)",
  );
});
