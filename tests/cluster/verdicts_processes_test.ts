/**
 * Failure verdicts that take more than one witness, with real nats-server,
 * real agent processes and this process as host "driver": a real `kill -9`
 * is declared lost by two witnesses and its actors restart elsewhere; a
 * frozen host is declared lost and fences itself when it wakes. The forged
 * votes and announcements of an attacker are in the attack suite
 * (tests/cluster/attacks_open_test.ts, attacks_secure_test.ts).
 */

import assert from "node:assert/strict";
import { type ActorSystem, childSpec, defineSupervisor, type HostInfo } from "../../mod.ts";
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
