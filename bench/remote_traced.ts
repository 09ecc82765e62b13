/**
 * The cost of tracing on a remote ask: `remote.ask.p50_us` (bench/remote.ts)
 * measured with every process traced by Deno's built-in OpenTelemetry,
 * exporting to a local OTLP receiver, and untraced, in turn (nine of each,
 * alternated, in the same minutes). Traced, the asks are made inside one span
 * of the driver's, so every envelope carries its trace context and every turn
 * is a span under it. Ours is the traced median of medians, the peer the
 * untraced one.
 *
 * Usage: deno run -A bench/remote_traced.ts remote.ask.traced_p50_us
 *
 * @module
 */

import { type Measurement, median, report } from "./_measure.ts";

const ROUNDS = 9;
let spans = 0;
// A receiver that counts the spans' export requests and drops them (http/json).
const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  const body = await req.text();
  if (new URL(req.url).pathname === "/v1/traces") spans += body.split('"spanId"').length - 1;
  return new Response("{}", { headers: { "content-type": "application/json" } });
});
const endpoint = `http://127.0.0.1:${receiver.addr.port}`;

async function once(traced: boolean): Promise<number> {
  const env: Record<string, string> = traced
    ? {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      ACTORS_BENCH_SPANS: "1",
    }
    : {};
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./remote.ts", import.meta.url).pathname,
      "remote.ask.p50_us",
      "ours",
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`remote.ts failed:\n${new TextDecoder().decode(stderr)}`);
  const lines = new TextDecoder().decode(stdout).trim().split("\n");
  return (JSON.parse(lines[lines.length - 1]) as Measurement).value;
}

const traced: number[] = [];
const untraced: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  untraced.push(await once(false));
  traced.push(await once(true));
}
// Deno exports spans in batches: give the last ones a moment to arrive.
await new Promise((resolve) => setTimeout(resolve, 1_000));
await receiver.shutdown();
if (spans === 0) throw new Error("the traced runs exported no spans");
console.error(`spans received from the traced runs: ${spans}`);
report({
  value: median(traced),
  unit: "µs",
  samples: traced,
  peer: { value: median(untraced), unit: "µs", samples: untraced },
});
