/**
 * NATS outages with real processes: the server is killed and started again
 * on the same port and store; every host reconnects and serves again without
 * a restart, and what could not be sent meanwhile is in the dead letters.
 */

import assert from "node:assert/strict";
import { ActorSystem, startNatsServer } from "../../mod.ts";
import { ProcCounter } from "../_helpers/cluster_defs.ts";
import { startAgent } from "../_helpers/agents.ts";
import { waitFor } from "../_helpers/system.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function outage(downMs: number): Promise<void> {
  const server = await startNatsServer({ jetstream: false });
  const agents = [
    await startAgent({ url: server.url, cluster: "out", hostId: "a1" }),
    await startAgent({ url: server.url, cluster: "out", hostId: "a2" }),
  ];
  const driver = await ActorSystem.start({
    hostId: "driver",
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "out", servers: server.url },
  });
  try {
    await waitFor(
      () => driver.hosts().filter((h) => h.state === "alive").length === 3,
      "three hosts",
      20_000,
    );
    const counter = await driver.spawn(ProcCounter, { placement: { kind: "host", hostId: "a1" } });
    counter.tell("add", 1);
    assert.equal(await counter.ask("get"), 1);

    server.kill("SIGKILL");
    await waitFor(
      () => driver.transportStats() !== undefined && !driverConnected(driver),
      "the driver to notice",
      10_000,
    );
    for (let i = 0; i < 5; i++) counter.tell("add", 100);
    const during = await counter.ask("get").catch((e) => e);
    assert.equal(during.name, "TransportClosedError");
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await server.restart();

    await waitFor(() => driverConnected(driver), "the driver to reconnect", 30_000);
    // Hosts reconnect one by one (nats.js waits about 2 s between attempts, with
    // jitter); a message to one that is not back yet bounces, and says so.
    let answered: number | undefined;
    const started = Date.now();
    while (answered === undefined && Date.now() - started < 30_000) {
      answered = await counter.ask("get", undefined, { timeoutMs: 2_000 }).catch(() => undefined);
      if (answered === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(answered, 1, "the same actor, with its state, serves again");
    await waitFor(
      () => driver.hosts().filter((h) => h.state === "alive").length === 3,
      "every host back in the view",
      30_000,
    );
    assert.ok(
      !driver.deaths.find({}).some((r) => r.kind === "host-lost"),
      "nobody was declared lost",
    );
    counter.tell("add", 1);
    assert.equal(
      await counter.ask("get", undefined, { timeoutMs: 10_000 }),
      2,
      "and takes new messages",
    );
    const letters = driver.deadLetters.recent().filter((l) => l.reason === "disconnected");
    assert.equal(
      letters.filter((l) => l.messageName === "add").length,
      5,
      "the tells sent meanwhile are dead letters",
    );
  } finally {
    await driver.shutdown();
    for (const agent of agents) await agent.stop();
    await server.stop();
  }
}

function driverConnected(system: ActorSystem): boolean {
  return system.hosts().length > 0 && system.connectionStatus() === "connected";
}

Deno.test({
  ...opts,
  name: "nats-server killed for 2 s: every host recovers",
  fn: () => outage(2_000),
});

Deno.test({
  ...opts,
  name: "nats-server down for 30 s, past nats.js's default give-up: every host recovers",
  fn: () => outage(30_000),
});
