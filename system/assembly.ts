/**
 * How `ActorSystem.start` puts a system together: the runtime, the hosts
 * port (alone, or the cluster it joins), the names, the metrics, and the
 * worker hosts when asked for. The order matters: the worker plan rewrites
 * the options before the runtime is made, the cluster is joined before the
 * workers start (they join it), and a failed worker start takes down what was
 * made before it.
 *
 * @module
 */

import type { ActorSystemOptions } from "./options.ts";
import type { Hosts } from "./hosts.ts";
import type { WorkerHosts } from "./worker_hosts.ts";
import { Runtime } from "../actors/runtime.ts";
import { runtimeSettings } from "./options.ts";
import { SoloHosts } from "./solo_hosts.ts";
import { HostMetrics } from "./metrics.ts";
import { Names } from "./names.ts";
import { planWorkers, workerCount } from "./workers.ts";

/** The worker hosts of a system started with `workers`, and the bus they talk on. */
export interface SystemWorkers {
  /** The worker hosts. */
  readonly hosts: WorkerHosts;
  /** Closes their bus, after every host on it shut down. */
  readonly close: () => void;
}

/** What an `ActorSystem` is made of. */
export interface SystemParts {
  /** The local runtime: this host's actors. */
  readonly runtime: Runtime;
  /** The hosts around this one: only itself, or its cluster. */
  readonly hosts: Hosts;
  /** Cluster-wide names. */
  readonly names: Names;
  /** This host's metrics. */
  readonly metrics: HostMetrics;
  /** The worker hosts, `undefined` without the `workers` option. */
  readonly workers: SystemWorkers | undefined;
}

/**
 * Makes and wires the parts of a system for `options`.
 *
 * @throws {InvalidOptionError} For a bad option.
 * @throws {InvalidNameError} When `hostId` breaks the naming rules.
 */
export async function assemble(options: ActorSystemOptions): Promise<SystemParts> {
  const count = workerCount(options);
  // With worker hosts, this host joins their cluster (the port bus without one).
  const plan = count === 0 ? undefined : await planWorkers(options, count);
  if (plan !== undefined) options = plan.options;
  const runtime = new Runtime(runtimeSettings(options));
  // Names and metrics read the hosts when used: the cluster replaces them below.
  let hosts: Hosts = new SoloHosts(runtime);
  const names = new Names(runtime, () => hosts, options.store !== undefined);
  const metrics = new HostMetrics(runtime, () => hosts.transportStats());
  // Actors may register names through their context; the directory is made on first use.
  runtime.directory = {
    register: (name, ref) => names.register(name, ref),
  };
  if (options.cluster !== undefined) {
    // The cluster (and with it NATS and MessagePack) loads only when a system joins one.
    const { joinCluster } = await import("./cluster_hosts.ts");
    hosts = await joinCluster(runtime, options.cluster, (hostId) => names.releaseHost(hostId));
  }
  let workers: SystemWorkers | undefined;
  if (plan !== undefined) {
    try {
      workers = { hosts: await plan.start(runtime), close: plan.close };
    } catch (err) {
      await runtime.shutdown(1_000).catch(() => {});
      plan.close();
      throw err;
    }
  }
  if (options.metrics === true) {
    metrics.sampleLag();
    metrics.observe();
  }
  return { runtime, hosts, names, metrics, workers };
}
