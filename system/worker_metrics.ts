/**
 * The main thread's requests for its worker hosts' metrics: each worker
 * host answers `metrics` with a snapshot of its own system, so the host
 * agent's Prometheus endpoint shows every host of its process.
 *
 * @module
 */

import type { HostMetricsSnapshot } from "./metrics.ts";

/**
 * Requests to one worker and their answers. A worker that does not answer
 * in time (busy, killed, being replaced) is answered `undefined`: a scrape
 * never waits for long on one host.
 */
export class MetricsRequests {
  readonly #waiting = new Map<number, (snapshot: HostMetricsSnapshot | undefined) => void>();
  #nextId = 0;

  /**
   * Asks for a snapshot.
   *
   * @param send Posts the request with its id to the worker.
   * @param timeoutMs How long to wait for the answer.
   * @returns The snapshot, or `undefined` when none came in time.
   */
  request(send: (id: number) => void, timeoutMs: number): Promise<HostMetricsSnapshot | undefined> {
    const id = this.#nextId++;
    const { promise, resolve } = Promise.withResolvers<HostMetricsSnapshot | undefined>();
    const timer = setTimeout(() => this.answered(id, undefined), timeoutMs);
    this.#waiting.set(id, (snapshot) => {
      clearTimeout(timer);
      resolve(snapshot);
    });
    try {
      send(id);
    } catch {
      this.answered(id, undefined);
    }
    return promise;
  }

  /** The worker answered request `id` (a late or unknown answer is ignored). */
  answered(id: number, snapshot: HostMetricsSnapshot | undefined): void {
    const resolve = this.#waiting.get(id);
    this.#waiting.delete(id);
    resolve?.(snapshot);
  }

  /** The worker is gone: every request still waiting is answered `undefined`. */
  abandon(): void {
    for (const id of [...this.#waiting.keys()]) this.answered(id, undefined);
  }
}
