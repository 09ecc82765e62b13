// A driver that asks a relay on host "a", which asks an echo on host "b",
// inside a span of its own; run with OTEL_DENO=true so Deno exports the spans.
// Prints `trace <traceId> <spanId> <reply>` and shuts down.
// Usage: traced_driver.ts <server url> <cluster>
import { trace } from "npm:@opentelemetry/api@1.9.0";
import { ActorSystem } from "../../../mod.ts";
import { TraceEcho, TraceRelay } from "../trace_defs.ts";

const [servers, name] = Deno.args;
const system = await ActorSystem.start({
  hostId: "driver",
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
  cluster: { name, servers },
});
const deadline = Date.now() + 30_000;
while (system.hosts().filter((h) => h.state === "alive").length < 3) {
  if (Date.now() > deadline) throw new Error("hosts a and b never appeared");
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const echo = await system.spawn(TraceEcho, { placement: { kind: "host", hostId: "b" } });
const relay = await system.spawn(TraceRelay, { placement: { kind: "host", hostId: "a" } });
await trace.getTracer("traced-driver").startActiveSpan("driver request", async (span) => {
  const reply = await relay.ask("forward", { to: echo, text: "hello" });
  const { traceId, spanId } = span.spanContext();
  span.end();
  console.log(`trace ${traceId} ${spanId} ${reply}`);
});
await system.shutdown();
