/**
 * The host agent's metrics endpoint: `GET /metrics` answers with this host's
 * metrics in the Prometheus text format (`system/metrics.ts`).
 *
 * @module
 */

import type { ActorSystem } from "../system.ts";
import { prometheusText } from "../system/metrics.ts";

/**
 * Serves `system.metrics()` at `http://<hostname>:<port>/metrics`.
 *
 * @param port The port (0: any free one).
 * @param hostname The address to listen on: loopback unless the operator says otherwise.
 * @returns The server; `shutdown()` it before the system.
 */
export function serveMetrics(system: ActorSystem, port: number, hostname: string): Deno.HttpServer {
  return Deno.serve({ port, hostname, onListen() {} }, (request) => {
    if (new URL(request.url).pathname !== "/metrics" || request.method !== "GET") {
      return new Response("not found: GET /metrics\n", { status: 404 });
    }
    return new Response(prometheusText(system.metrics()), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  });
}
