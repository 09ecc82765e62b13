/**
 * A 3-server NATS cluster (routes on loopback) with the state bucket at 3
 * replicas: one server is killed under load. Hosts move their connections to
 * the other servers, the bucket elects a new leader, and nothing
 * acknowledged is lost.
 *
 * @module
 */

import { startNatsServer } from "../../testing.ts";
import type { NatsServer } from "../../testkit/nats_server.ts";
import type { Scenario } from "../scenario.ts";
import { sleep, startProcessCluster } from "../process_cluster.ts";
import { countersUnderLoad } from "../load.ts";
import { connectNats } from "../../transport/nats_connect.ts";
import { jetstreamManager } from "npm:@nats-io/jetstream@3.4.0";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts three servers routed to each other, with JetStream. */
export async function natsCluster(): Promise<NatsServer[]> {
  const routePorts = [freePort(), freePort(), freePort()];
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(",");
  const servers: NatsServer[] = [];
  for (let i = 0; i < 3; i++) {
    servers.push(
      await startNatsServer({
        args: [
          "--server_name",
          `n${i}`,
          "--cluster_name",
          "chaos",
          "--cluster",
          `nats://127.0.0.1:${routePorts[i]}`,
          "--routes",
          routes,
        ],
      }),
    );
  }
  return servers;
}

/** The name of the server leading a stream (`n0`, `n1`, `n2`), if known. */
async function streamLeader(
  servers: readonly NatsServer[],
  stream: string,
): Promise<string | undefined> {
  const nc = await connectNats(servers.map((s) => s.url));
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(stream)).cluster?.leader;
  } catch {
    return undefined;
  } finally {
    await nc.close();
  }
}

/** Kill one of three servers under load. */
export const natsCluster3: Scenario = {
  name: "nats-cluster-3",
  description:
    "3 nats-servers in a JetStream cluster, the state bucket at 3 replicas: one server killed under load",
  run: async (size) => {
    const counters = size === "full" ? 150 : 30;
    const servers = await natsCluster();
    const violations: string[] = [];
    try {
      // The bucket can be made once the cluster has elected its JetStream meta leader.
      let c: Awaited<ReturnType<typeof startProcessCluster>> | undefined;
      const deadline = Date.now() + 60_000;
      while (c === undefined) {
        try {
          c = await startProcessCluster({
            name: "nc",
            agents: ["a1", "a2", "a3"],
            bucket: "nc",
            replicas: 3,
            servers,
          });
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await sleep(500);
        }
      }
      try {
        const load = await countersUnderLoad(c.driver, counters);
        await sleep(1_500);
        // Kill the server leading the bucket's stream: the hard case (a new
        // leader must be elected before the bucket takes writes again).
        const leader = await streamLeader(servers, "KV_nc");
        const victim = servers[Number(leader?.slice(1) ?? 0)] ?? servers[0];
        const killedAt = Date.now();
        victim.kill("SIGKILL");
        // Writable again: a write to the bucket succeeds.
        const probe = new Uint8Array([1]);
        let writableMs = -1;
        let revision = 0;
        while (Date.now() - killedAt < 60_000) {
          try {
            revision = await c.store!.put("probe", probe, revision);
            writableMs = Date.now() - killedAt;
            break;
          } catch {
            // Not yet (no leader), or our last write landed unseen: read the revision and retry.
            const current = await c.store!.get("probe").catch(() => undefined);
            if (current !== undefined) revision = current.revision;
            await sleep(50);
          }
        }
        if (writableMs < 0) violations.push("the bucket was not writable again within 60 s");
        load.mark();
        await sleep(5_000);
        const answeredAfter = load.servedAfterMark.size;
        violations.push(...await load.finish());
        if (answeredAfter < counters) {
          violations.push(`${counters - answeredAfter} counters did not answer after the kill`);
        }
        const declaredLost = c.driver.hosts().filter((h) => h.state === "lost").length;
        return {
          figures: {
            actors: counters,
            killed: leader === undefined
              ? "n0 (leader unknown)"
              : `${leader} (the bucket's leader)`,
            kv_writable_again_ms: writableMs,
            counters_serving_after: answeredAfter,
            hosts_declared_lost: declaredLost,
            acknowledged_asks: load.acknowledged(),
          },
          violations,
        };
      } finally {
        await c.close();
      }
    } finally {
      for (const server of servers) await server.stop();
    }
  },
};
