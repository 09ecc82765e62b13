/**
 * A trace of one ask as a waterfall in a real notebook kernel: the kernel
 * exports its spans (Deno's OpenTelemetry) to a `SpanCollector` it started
 * itself, and a cell draws the trace, each turn under the one that sent it.
 */

import assert from "node:assert/strict";
import { runNotebook } from "./_helpers/notebook.ts";

const notebook = new URL("./_helpers/notebooks/waterfall.ipynb", import.meta.url).pathname;

/** A port that was free a moment ago, for the kernel's collector. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("a cell draws the trace of one ask as a waterfall, each turn under the span that sent it", async () => {
  const port = freePort();
  const { code, cells, stderr } = await runNotebook(notebook, {
    env: {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: "notebook",
      NOTEBOOK_COLLECTOR_PORT: String(port),
    },
  });
  assert.equal(code, 0, `the notebook failed:\n${stderr}`);
  const [, step, end] = cells.filter((c) => c.type === "code");
  const waterfall = step.outputs.at(-1)!;
  const lines = waterfall.text.split("\n");
  assert.equal(lines.length, 3, `the step's span and its two turns:\n${waterfall.text}`);
  assert.match(lines[0], /^train step \[\S+\] \+0 µs /);
  assert.match(lines[1], /^ {2}nb-trainer step \[kernel\] \+\S+ /);
  assert.match(lines[2], /^ {4}nb-shard sum \[kernel\] \+\S+ /);
  assert.match(waterfall.html, /<table/);
  assert.equal(end.outputs.at(-1)?.text, '"3 spans"');
});
