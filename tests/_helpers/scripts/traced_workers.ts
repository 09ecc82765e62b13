// A system with one worker host, traced and with metrics as its options say;
// run with OTEL_DENO=true so Deno exports what each host records. Asks an echo
// on the worker host inside a span of its own, waits a little for the metric
// export, prints `trace <traceId> <spanId> <worker host id>` and shuts down.
// Usage: traced_workers.ts <tracing: true|false> <metrics: true|false>
import { trace } from "npm:@opentelemetry/api@1.9.0";
import { ActorSystem } from "../../../mod.ts";
import { TraceEcho } from "../trace_defs.ts";

const [tracing, metrics] = Deno.args.map((arg) => arg === "true");
const system = await ActorSystem.start({
  workers: 1,
  tracing,
  metrics,
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
});
const worker = `${system.hostId}-w1`;
const echo = await system.spawn(TraceEcho, { placement: { kind: "host", hostId: worker } });
await trace.getTracer("traced-workers").startActiveSpan("driver request", async (span) => {
  const reply = await echo.ask("echo", "hello");
  if (!reply.startsWith(`hello from ${worker}/`)) throw new Error(`unexpected reply ${reply}`);
  const { traceId, spanId } = span.spanContext();
  span.end();
  console.log(`trace ${traceId} ${spanId} ${worker}`);
});
// The metric reader exports every 500 ms (OTEL_METRIC_EXPORT_INTERVAL in the receiver's env).
await new Promise((resolve) => setTimeout(resolve, 2_000));
await system.shutdown();
