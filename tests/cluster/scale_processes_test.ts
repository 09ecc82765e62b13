/**
 * Membership at scale with real processes: 32 host agents (small heaps) on
 * one nats-server, and this process as host "driver". All join; one agent
 * holding an actor is killed with SIGKILL; every other agent declares it
 * lost (each says so in its own log), and the actor serves again on a live
 * agent. Each host hears the heartbeats of its few monitored peers only
 * (cluster/monitors.ts), so 33 hosts cost a 2-core machine little more than 5.
 */

import assert from "node:assert/strict";
import { ActorSystem, childSpec, defineSupervisor } from "../../mod.ts";
import {
  agentPermissions,
  type HostAgent,
  startHostAgent,
  startNatsServer,
} from "../../testing.ts";
import { ProcCounter } from "../_helpers/cluster_defs.ts";
import { bounded } from "../_helpers/agents.ts";
import { stopServer } from "../_helpers/nats.ts";
import { waitFor } from "../_helpers/system.ts";

const AGENTS = 32;
const definitions = new URL("../_helpers/cluster_defs.ts", import.meta.url).pathname;

const Pair = defineSupervisor({
  type: "scale-pair",
  strategy: { kind: "one_for_one", maxRestarts: 5, withinMs: 60_000 },
  children: [
    childSpec(ProcCounter, { id: "c", placement: { kind: "spread", labels: { role: "worker" } } }),
  ],
});

Deno.test("32 host processes join, one is killed, every other declares it lost and its actor moves", async () => {
  await using cleanup = new AsyncDisposableStack();
  const server = await startNatsServer({ jetstream: false });
  cleanup.defer(() => stopServer(server));
  // Every agent's log lines come through this process's console.error, with `[host] text`.
  const declared = new Map<string, Set<string>>();
  const error = console.error;
  console.error = (...args: unknown[]) => {
    const line = args.map(String).join(" ");
    const heard = /\[([^\]]+)\] host (\S+) was declared lost/.exec(line);
    if (heard === null) return error(...args);
    const by = declared.get(heard[2]) ?? declared.set(heard[2], new Set()).get(heard[2])!;
    by.add(heard[1]);
  };
  cleanup.defer(() => {
    console.error = error;
  });

  const agents: HostAgent[] = [];
  cleanup.defer(async () => {
    await Promise.allSettled(agents.map((a) => a.stop()));
  });
  for (let i = 0; i < AGENTS; i += 2) {
    agents.push(
      ...await Promise.all(Array.from({ length: 2 }, (_, j) => {
        const options = {
          servers: server.url,
          cluster: "scale",
          hostId: `s${i + j}`,
          labels: { role: "worker" },
          imports: [definitions],
          env: { ACTORS_LOG: "warn" },
          readyTimeoutMs: 120_000,
        };
        const start = () =>
          startHostAgent({
            ...options,
            permissions: [...agentPermissions(options), "--v8-flags=--max-old-space-size=64"],
          });
        // On a machine whose cores are busy an agent can miss the server's
        // greeting (its own 5 s wait ran out): it exits, and is started again.
        return start().catch(start).catch(start).then((agent) => bounded(agent, 30_000));
      })),
    );
  }
  const driver = await ActorSystem.start({
    hostId: "driver",
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "scale", servers: server.url },
  });
  cleanup.defer(() => driver.shutdown());
  await waitFor(
    () => driver.hosts().filter((h) => h.state === "alive").length === AGENTS + 1,
    `${AGENTS + 1} hosts alive`,
    120_000,
  );

  const sup = driver.spawn(Pair);
  let [child] = await sup.ask("which");
  await waitFor(
    async () => ([child] = await sup.ask("which"), child.status === "remote"),
    "the child on an agent",
    30_000,
  );
  const counter = driver.resolveRef(child.ref!.toJSON(), ProcCounter);
  counter.tell("add", 5);
  assert.equal(await counter.ask("get"), 5);
  const where = child.hostId!;
  const victim = agents.find((a) => a.hostId === where)!;
  await victim.kill();

  const others = agents.filter((a) => a !== victim).map((a) => a.hostId);
  await waitFor(
    () => others.every((id) => declared.get(where)?.has(id)),
    `every other agent to declare ${where} lost`,
    60_000,
  );
  await waitFor(
    () => driver.hosts().find((h) => h.hostId === where)?.state === "lost",
    "driver",
    30_000,
  );
  await waitFor(
    async () => ([child] = await sup.ask("which"),
      child.status === "remote" && child.hostId !== where),
    "the child restarted on a live agent",
    60_000,
  );
  const moved = driver.resolveRef(child.ref!.toJSON(), ProcCounter);
  moved.tell("add", 1);
  assert.equal(await moved.ask("get"), 1, "a new activation (not persistent) serves");
});
