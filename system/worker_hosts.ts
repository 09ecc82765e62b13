/**
 * Worker hosts: hosts of their own on Deno Workers of this process, so that
 * actors use every core. Each is a member of the cluster like any host (same
 * placement, labels, supervision across hosts, inspection). Without NATS
 * they talk over the process's port bus, and the main thread serves their
 * liveness beside it: a worker whose actors compute is `busy`, never lost.
 * Code on a worker can be killed for real: a worker whose stop overran its
 * deadline, or whose loop stalled past the hang limit, is terminated, declared
 * lost (its actors' supervisors restart them) and replaced by a fresh one.
 *
 * @module
 */

import { ISOLATED_THREAD, THREAD_LABEL } from "../cluster/placement.ts";
import { InvalidOptionError } from "../base/errors.ts";
import type { HostMetricsSnapshot } from "./metrics.ts";
import type { WorkerHostsSettings } from "./worker_hosts_settings.ts";
import { WorkerHost } from "./worker_host.ts";

export type { WorkerHostsSettings };

/** The worker hosts of this process. */
export class WorkerHosts {
  readonly #hosts: WorkerHost[];
  readonly #isolated = new Set<WorkerHost>();
  readonly #settings: WorkerHostsSettings;
  #nextIsolated = 0;

  private constructor(hosts: WorkerHost[], settings: WorkerHostsSettings) {
    this.#hosts = hosts;
    this.#settings = settings;
  }

  /**
   * Starts the worker hosts and waits until each has joined.
   *
   * @throws {Error} When one could not start (the others are shut down).
   */
  static async start(settings: WorkerHostsSettings): Promise<WorkerHosts> {
    const hosts = Array.from(
      { length: settings.count },
      (_, i) => new WorkerHost(settings, `${settings.mainHostId}-w${i + 1}`),
    );
    const started = await Promise.allSettled(hosts.map((host) => host.started));
    const failed = started.find((s) => s.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(hosts.map((host) => host.shutdown(1_000)));
      throw (failed as PromiseRejectedResult).reason;
    }
    return new WorkerHosts(hosts, settings);
  }

  /**
   * Starts a worker host for one actor alone (`isolation: "worker"`): id
   * `<main>-x<n>`, label `thread: "isolated"` (no placement but a pin picks
   * it), not replaced when it is killed.
   *
   * @returns Its id, and how to end it once its actor has stopped.
   * @throws {InvalidOptionError} When the process's credentials allow no more isolated hosts.
   * @throws {Error} When it could not start.
   */
  async isolate(): Promise<{ readonly hostId: string; retire(): Promise<void> }> {
    const max = this.#settings.maxIsolated;
    if (this.#nextIsolated >= max) {
      // Its publishes would be refused by the server: refuse the spawn instead.
      throw new InvalidOptionError(
        "isolation",
        "worker",
        `this process's credentials allow ${max} isolated actors over its life ` +
          `(hosts ${this.#settings.mainHostId}-x1 ... -x${max}): ` +
          `write them with ctl auth init --isolated <n>`,
      );
    }
    const settings = {
      ...this.#settings,
      labels: { ...this.#settings.labels, [THREAD_LABEL]: ISOLATED_THREAD },
    };
    const host = new WorkerHost(settings, `${settings.mainHostId}-x${++this.#nextIsolated}`, false);
    this.#isolated.add(host);
    const retire = async () => {
      if (!this.#isolated.delete(host)) return;
      await host.shutdown(settings.stopTimeoutMs);
    };
    try {
      await host.started;
    } catch (err) {
      await retire();
      throw err;
    }
    return { hostId: host.hostId, retire };
  }

  /** The worker hosts' ids. */
  get hostIds(): string[] {
    return this.#hosts.map((host) => host.hostId);
  }

  /**
   * The metrics of every worker host (isolated ones included), each asked
   * of its worker; one that does not answer within `timeoutMs` is left out.
   */
  async metrics(timeoutMs: number): Promise<HostMetricsSnapshot[]> {
    const all = await Promise.all(
      [...this.#hosts, ...this.#isolated].map((host) => host.metrics(timeoutMs)),
    );
    return all.filter((snapshot) => snapshot !== undefined);
  }

  /** How many times workers were killed (isolated ones included). */
  get kills(): number {
    return [...this.#hosts, ...this.#isolated].reduce((sum, host) => sum + host.kills, 0);
  }

  /**
   * Shuts every worker host down gracefully; one that does not finish in
   * time (plus a second) is terminated.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    const all = [...this.#hosts, ...this.#isolated];
    this.#isolated.clear();
    await Promise.all(all.map((host) => host.shutdown(timeoutMs)));
  }
}
