/**
 * Several hosts in one process, joined by an in-memory bus.
 *
 * @module
 */

import { ActorSystem, type ActorSystemOptions } from "../../mod.ts";
import { MemoryBus } from "../../transport/memory_bus.ts";
import type { Labels } from "../../cluster/view.ts";
import { waitFor } from "./system.ts";

/** One host per label set, all on one bus, each seeing all the others. */
export async function startMemoryCluster(
  labels: Labels[],
  options: {
    bus?: MemoryBus;
    name?: string;
    system?: ActorSystemOptions;
    /** More cluster options of every host. */
    cluster?: { readonly maxMessageBytes?: number };
  } = {},
): Promise<{ bus: MemoryBus; hosts: ActorSystem[]; shutdown: () => Promise<void> }> {
  const bus = options.bus ?? new MemoryBus();
  const hosts: ActorSystem[] = [];
  for (let i = 0; i < labels.length; i++) {
    hosts.push(
      await ActorSystem.start({
        logFailures: false,
        deadLetters: { logPerSecond: 0 },
        ...options.system,
        hostId: `${options.name ?? "m"}${i}`,
        cluster: {
          name: options.name ?? "test",
          transport: bus.connect(),
          labels: labels[i],
          ...options.cluster,
        },
      }),
    );
  }
  await waitFor(
    () => hosts.every((h) => h.hosts().filter((x) => x.state === "alive").length === labels.length),
    "every host to see every other",
  );
  return {
    bus,
    hosts,
    shutdown: async () => {
      for (const host of hosts) await host.shutdown();
    },
  };
}
