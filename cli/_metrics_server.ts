/**
 * The host agent's metrics endpoint: `GET /metrics` answers with the
 * metrics of this agent's host and of the worker hosts in its process
 * (`--workers`) in the Prometheus text format (`system/prometheus_text.ts`).
 * A worker host's series carry `agent="<this host>"` beside their `host`.
 *
 * @module
 */

import type { ActorSystem } from "../system.ts";
import { prometheusText } from "../system/prometheus_text.ts";

/** How long a scrape waits for each worker host's answer. */
const WORKER_ANSWER_MS = 2_000;

/**
 * Serves `system.metrics()` and `system.workerMetrics()` at
 * `http://<hostname>:<port>/metrics`.
 *
 * @param port The port (0: any free one).
 * @param hostname The address to listen on: loopback unless the operator says otherwise.
 * @returns The server; `shutdown()` it before the system.
 */
export function serveMetrics(system: ActorSystem, port: number, hostname: string): Deno.HttpServer {
  return Deno.serve({ port, hostname, onListen() {} }, async (request) => {
    if (new URL(request.url).pathname !== "/metrics" || request.method !== "GET") {
      return new Response("not found: GET /metrics\n", { status: 404 });
    }
    const own = system.metrics();
    const workers = await system.workerMetrics(WORKER_ANSWER_MS);
    const text = prometheusText([
      { snapshot: own },
      ...workers.map((snapshot) => ({ snapshot, labels: { agent: own.hostId } })),
    ]);
    return new Response(text, {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  });
}
