/**
 * Worker hosts are traced and measured as their system is: a process with
 * one worker host runs with Deno's built-in OpenTelemetry exporting to a
 * receiver this test starts; the worker host's handler turns arrive as spans
 * under the main thread's span, and its metrics arrive under its own host id.
 */

import assert from "node:assert/strict";
import { receivedMetrics, startOtlpReceiver } from "../_helpers/otlp_receiver.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";

const script = new URL("../_helpers/scripts/traced_workers.ts", import.meta.url).pathname;

/** Runs the script with the system's `tracing` and `metrics`; returns what it printed. */
async function runTraced(env: Record<string, string>, tracing: boolean, metrics: boolean) {
  const output = await within(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, String(tracing), String(metrics)],
      env: { ...env, OTEL_SERVICE_NAME: "workers" },
      stdout: "piped",
      stderr: "piped",
    }).output(),
    60_000,
    "the traced script to finish",
  );
  const printed = new TextDecoder().decode(output.stdout);
  assert.ok(output.success, printed + new TextDecoder().decode(output.stderr));
  const [, traceId, rootSpanId, worker] = printed.trim().split("\n").at(-1)!.split(" ");
  return { traceId, rootSpanId, worker };
}

Deno.test("a worker host's turns are spans under the sender's span, and its metrics are exported", async () => {
  const receiver = startOtlpReceiver();
  try {
    const { traceId, rootSpanId, worker } = await runTraced(receiver.env, true, true);
    const echo = () =>
      receiver.spans.find((s) => s.traceId === traceId && s.name === "trace-echo echo");
    await waitFor(() => echo() !== undefined, "the worker host's span", 30_000);
    assert.equal(echo()!.parentSpanId, rootSpanId);
    assert.equal(echo()!.attributes["actor.host"], worker);
    const workerMetrics = () =>
      receivedMetrics(receiver).find((m) =>
        m.name === "actorcluster.host.messages_handled" && m.attributes["actor.host"] === worker
      );
    await waitFor(() => workerMetrics() !== undefined, "the worker host's metrics", 30_000);
  } finally {
    await receiver.close();
  }
});

Deno.test("a system with tracing off has no spans from its worker hosts either", async () => {
  const receiver = startOtlpReceiver();
  try {
    const { traceId, worker } = await runTraced(receiver.env, false, false);
    // The script's own span is exported: once it is here, a worker span would be too.
    await waitFor(
      () => receiver.spans.some((s) => s.traceId === traceId),
      "the script's own span",
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(
      receiver.spans.filter((s) => s.attributes["actor.host"] === worker).map((s) => s.name),
      [],
    );
  } finally {
    await receiver.close();
  }
});
