/**
 * A cluster of `ActorSystem` hosts on one in-memory bus and one virtual
 * clock, with fast membership timings (heartbeat 100 ms, suspicion 500 ms)
 * and a count of the bus's deliveries, for membership tests.
 *
 * @module
 */

import { ActorSystem, type ActorSystemOptions } from "../../mod.ts";
import { createVirtualClock, type VirtualClock } from "../../testing.ts";
import { MemoryBus, type MemoryTransport } from "../../transport/memory_bus.ts";

/** The heartbeat interval of a memory cluster's hosts, in milliseconds. */
export const HEARTBEAT_MS = 100;
/** The suspicion timeout of a memory cluster's hosts, in milliseconds. */
export const SUSPICION_MS = 500;

/** Hosts `h0`..`h<n-1>` on one bus. */
export interface MemoryCluster {
  readonly clock: VirtualClock;
  readonly hosts: ActorSystem[];
  /** Each host's transport, by index: closing one is a crash. */
  readonly links: MemoryTransport[];
  /** Messages the bus delivered so far (one per subscriber reached). */
  readonly delivered: () => number;
  /** Advances the clock by `totalMs`, in steps of 25 ms. */
  readonly step: (totalMs: number) => Promise<void>;
  /** Shuts every host down. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts hosts `h0`..`h<n-1>`, one on each of `links`, with this cluster's
 * timings (for fixtures that make their bus their own way).
 */
export async function startMemoryHosts(
  clock: VirtualClock,
  links: readonly MemoryTransport[],
  log?: ActorSystemOptions["log"],
): Promise<ActorSystem[]> {
  const hosts: ActorSystem[] = [];
  for (let i = 0; i < links.length; i++) {
    hosts.push(
      await ActorSystem.start({
        hostId: `h${i}`,
        clock,
        logFailures: false,
        deadLetters: { logPerSecond: 0 },
        ...(log === undefined ? {} : { log }),
        cluster: {
          name: "m",
          transport: links[i],
          heartbeatIntervalMs: HEARTBEAT_MS,
          suspicionTimeoutMs: SUSPICION_MS,
        },
      }),
    );
  }
  return hosts;
}

/** Starts `n` hosts on one bus and one virtual clock. */
export async function memoryCluster(n: number): Promise<MemoryCluster> {
  const clock = createVirtualClock(1_000_000);
  const bus = new MemoryBus({ clock });
  const links = Array.from({ length: n }, () => bus.connect());
  const hosts = await startMemoryHosts(clock, links);
  return {
    clock,
    hosts,
    links,
    delivered: () => bus.routed,
    step: async (totalMs) => {
      for (let t = 0; t < totalMs; t += 25) await clock.advance(25);
    },
    stop: async () => {
      const done = Promise.all(hosts.map((h) => h.shutdown({ timeoutMs: 100 })));
      await clock.advance(200);
      await done;
    },
  };
}
