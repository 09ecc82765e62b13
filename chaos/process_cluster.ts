/**
 * A cluster of real processes for the fault scenarios: a nats-server, host
 * agents (separate processes) and this process as the driver host.
 *
 * @module
 */

import { ActorSystem, JetStreamStore } from "../mod.ts";
import { startHostAgent, startNatsServer } from "../testing.ts";
import type { NatsServer } from "../testkit/nats_server.ts";

const definitions = new URL("./process_actors.ts", import.meta.url).pathname;

/** A running agent. */
export interface AgentProcess {
  readonly hostId: string;
  readonly process: Deno.ChildProcess;
}

/** What a scenario gets. */
export interface ProcessCluster {
  readonly server: NatsServer;
  readonly agents: AgentProcess[];
  readonly driver: ActorSystem;
  readonly store: JetStreamStore | undefined;
  /** Starts one more agent. */
  addAgent(hostId: string): Promise<AgentProcess>;
  /** Waits until the driver sees `count` hosts alive. */
  waitAlive(count: number, withinMs?: number): Promise<void>;
  /** Stops everything this cluster started. */
  close(): Promise<void>;
}

/** Options of {@linkcode startProcessCluster}. */
export interface ProcessClusterOptions {
  /** The cluster's name. */
  readonly name: string;
  /** Agent host ids. */
  readonly agents: readonly string[];
  /** A JetStream KV bucket shared as the state store, when persistent actors are used. */
  readonly bucket?: string;
  /** Extra agent flags (`--suspicion-ms 20000`). */
  readonly agentFlags?: readonly string[];
  /** Servers already running (a NATS cluster) instead of one started here; not stopped by `close`. */
  readonly servers?: readonly NatsServer[];
  /** The state bucket's replicas (with `bucket`). */
  readonly replicas?: number;
}

/** Starts a server, the agents (labelled `worker=1`) and the driver. */
export async function startProcessCluster(options: ProcessClusterOptions): Promise<ProcessCluster> {
  const given = options.servers;
  const server = given?.[0] ?? await startNatsServer({ jetstream: options.bucket !== undefined });
  const urls = given?.map((s) => s.url) ?? [server.url];
  const agents: AgentProcess[] = [];
  const addAgent = async (hostId: string): Promise<AgentProcess> => {
    const { process } = await startHostAgent({
      servers: urls,
      cluster: options.name,
      hostId,
      labels: { worker: "1" },
      imports: [definitions],
      ...(options.bucket === undefined ? {} : { stateBucket: options.bucket }),
      args: [
        ...(options.replicas === undefined ? [] : ["--state-replicas", String(options.replicas)]),
        ...(options.agentFlags ?? []),
      ],
      env: { ACTORS_LOG: Deno.env.get("CHAOS_AGENT_LOG") ?? "error" },
    });
    const agent = { hostId, process };
    agents.push(agent);
    return agent;
  };
  // The driver creates the bucket first (with its replicas); the agents open it.
  const store = options.bucket === undefined ? undefined : await JetStreamStore.open({
    servers: urls,
    bucket: options.bucket,
    ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
  });
  for (const id of options.agents) await addAgent(id);
  const driver = await ActorSystem.start({
    hostId: "driver",
    ...(store === undefined ? {} : { store }),
    logFailures: false,
    deadLetters: { logPerSecond: 0, keep: 100_000 },
    log: { level: "error" },
    cluster: { name: options.name, servers: urls },
  });
  const waitAlive = async (count: number, withinMs = 30_000) => {
    const deadline = Date.now() + withinMs;
    while (driver.hosts().filter((h) => h.state === "alive").length < count) {
      if (Date.now() > deadline) {
        throw new Error(`fewer than ${count} hosts alive after ${withinMs} ms`);
      }
      await sleep(20);
    }
  };
  await waitAlive(options.agents.length + 1);
  return {
    server,
    agents,
    driver,
    store,
    addAgent,
    waitAlive,
    close: async () => {
      await driver.shutdown();
      await store?.close();
      for (const agent of agents) {
        try {
          agent.process.kill("SIGCONT");
          agent.process.kill("SIGTERM");
        } catch {
          // already gone
        }
        await agent.process.status;
      }
      if (given === undefined) await server.stop();
    },
  };
}

/** Sleeps in real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
