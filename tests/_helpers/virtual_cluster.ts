/**
 * Hosts in one process on an in-memory bus and one virtual clock, for
 * membership and failover tests that must not sleep.
 *
 * @module
 */

import { ActorSystem, type ActorSystemOptions, type Labels } from "../../mod.ts";
import { createVirtualClock, type VirtualClock } from "../../testing.ts";
import { MemoryBus, type MemoryTransport } from "../../transport/memory_bus.ts";
import { within } from "./deadline.ts";

/** A cluster of hosts `h0`, `h1`, ... whose links the test can cut. */
export interface VirtualCluster {
  readonly clock: VirtualClock;
  readonly hosts: ActorSystem[];
  readonly links: MemoryTransport[];
  /** Moves virtual time in small steps, so heartbeats and checks interleave. */
  step(totalMs: number, stepMs?: number): Promise<void>;
  /**
   * Crashes host `index` (its link closes, nothing is said) and starts a new
   * process with the same host id at once: the same host as a new epoch.
   */
  restart(index: number): Promise<ActorSystem>;
  /** Shuts every host down. */
  stop(): Promise<void>;
}

/** Starts one host per label set: heartbeats every 100 ms, lost after 500 ms of silence. */
export async function virtualCluster(
  labels: Labels[],
  options: ActorSystemOptions = {},
): Promise<VirtualCluster> {
  const clock = createVirtualClock(1_000_000);
  // The bus on the same clock: request timeouts and flushes in virtual time, as everything else.
  const bus = new MemoryBus({ clock });
  const links = labels.map(() => bus.connect());
  const startHost = (i: number) =>
    ActorSystem.start({
      logFailures: false,
      deadLetters: { logPerSecond: 0 },
      ...options,
      hostId: `h${i}`,
      clock,
      cluster: {
        name: "v",
        transport: links[i],
        labels: labels[i],
        heartbeatIntervalMs: 100,
        suspicionTimeoutMs: 500,
      },
    });
  const hosts: ActorSystem[] = [];
  for (let i = 0; i < labels.length; i++) hosts.push(await startHost(i));
  const crashed: ActorSystem[] = [];
  const step = async (totalMs: number, stepMs = 25) => {
    for (let t = 0; t < totalMs; t += stepMs) await clock.advance(stepMs);
  };
  await step(150);
  return {
    clock,
    hosts,
    links,
    step,
    restart: async (index) => {
      await links[index].close();
      crashed.push(hosts[index]);
      links[index] = bus.connect();
      hosts[index] = await startHost(index);
      return hosts[index];
    },
    stop: async () => {
      for (const link of links) link.setConnected(true);
      const done = Promise.all(
        [...hosts, ...crashed].map((h) => h.shutdown({ timeoutMs: 200 })),
      );
      await step(400);
      await within(done, 5_000, "every host to shut down within 400 ms of virtual time");
    },
  };
}
