/**
 * A real cluster for one test: a private nats-server, host agent processes,
 * and this test process as the host "driver". Everything started is handed
 * to the test's `AsyncDisposableStack`, so it stops however the test ends.
 *
 * @module
 */

import { ActorSystem, type ActorSystemOptions, type ClusterOptions } from "../../mod.ts";
import { type NatsServer, startNatsServer } from "../../testing.ts";
import { type Agent, startAgents } from "./agents.ts";
import { stopServer } from "./nats.ts";
import { waitFor } from "./system.ts";

/** A nats-server and agents joined to `cluster`. */
export async function startServerAndAgents(
  cleanup: AsyncDisposableStack,
  options: {
    readonly cluster: string;
    readonly agents: readonly {
      readonly hostId: string;
      readonly labels?: string;
      readonly extraArgs?: string[];
      readonly allowModules?: string[];
      readonly env?: Record<string, string>;
    }[];
    /** @default {false} */
    readonly jetstream?: boolean;
    /** Lines of the server's configuration file (`max_payload: 67108864`). */
    readonly serverConfig?: readonly string[];
  },
): Promise<{ server: NatsServer; agents: Agent[] }> {
  const args: string[] = [];
  if (options.serverConfig !== undefined) {
    const file = await Deno.makeTempFile({ suffix: ".conf" });
    cleanup.defer(() => Deno.remove(file).catch(() => {}));
    await Deno.writeTextFile(file, options.serverConfig.join("\n") + "\n");
    args.push("--config", file);
  }
  const server = await startNatsServer({ jetstream: options.jetstream ?? false, args });
  cleanup.defer(() => stopServer(server));
  const agents = await startAgents(
    options.agents.map((agent) => ({ url: server.url, cluster: options.cluster, ...agent })),
  );
  cleanup.defer(async () => {
    for (const agent of agents) await agent.stop();
  });
  return { server, agents };
}

/**
 * This process as host "driver" of `cluster`, once it sees `hosts` hosts
 * alive (itself included).
 */
export async function startDriver(
  cleanup: AsyncDisposableStack,
  server: NatsServer,
  options: {
    readonly cluster: string;
    readonly hosts: number;
    readonly system?: ActorSystemOptions;
    readonly join?: Partial<ClusterOptions>;
  },
): Promise<ActorSystem> {
  const driver = await ActorSystem.start({
    hostId: "driver",
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    ...options.system,
    cluster: { name: options.cluster, servers: server.url, ...options.join },
  });
  cleanup.defer(() => driver.shutdown());
  await waitFor(
    () => driver.hosts().filter((h) => h.state === "alive").length === options.hosts,
    `${options.hosts} hosts`,
    20_000,
  );
  return driver;
}
