import assert from "node:assert/strict";
import { liveChart } from "../../../../notebook.ts";
import { createVirtualClock, MemoryDisplaySink } from "../../../../testing.ts";

const paths = (html: string) => [...html.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);

Deno.test("a live chart draws a loss curve that grows in place and ends with the final loss", async () => {
  const clock = createVirtualClock();
  const output = new MemoryDisplaySink();
  const loss = liveChart({ title: "loss", output, clock });
  assert.match(output.shown()?.["text/html"] ?? "", /no data yet/);
  for (let step = 0; step < 50; step++) loss.push({ train: 1 / (step + 1), val: 2 / (step + 1) });
  await clock.advance(250);
  const mid = output.shown()!;
  assert.equal(paths(mid["text/html"]).length, 2, "one line per series");
  assert.equal(paths(mid["text/html"])[0].match(/L/g)?.length, 49, "50 points");
  loss.push({ train: 0.01, val: 0.03 });
  loss.stop();
  assert.ok(output.ended());
  assert.equal(output.outputs.length, 1, "every frame went to the same output");
  assert.equal(
    output.shown()?.["text/plain"],
    "loss: train 0.01 at step 50, val 0.03 at step 50 (51 points, stopped)",
  );
  assert.match(output.shown()?.["text/html"] ?? "", /<svg /);
  assert.equal(loss.pushes, 51);
});

Deno.test("a bare number goes to the series 'value'; x defaults to one past the previous push", () => {
  const output = new MemoryDisplaySink();
  const chart = liveChart({ output, clock: createVirtualClock(), xLabel: "epoch" });
  chart.push(3, 10);
  chart.push(2);
  chart.stop();
  assert.equal(String(chart), "chart: value 2 at epoch 11 (2 points, stopped)");
});

Deno.test("a series shows only its latest maxPoints points", () => {
  const output = new MemoryDisplaySink();
  const chart = liveChart({ output, clock: createVirtualClock(), maxPoints: 10 });
  for (let step = 0; step < 1_000; step++) chart.push(step);
  chart.stop();
  const [d] = paths(output.shown()!["text/html"]);
  assert.equal(d.match(/[ML]/g)?.length, 10);
  assert.match(
    output.shown()!["text/html"],
    />990</,
    "the x range starts at the oldest point kept",
  );
});

Deno.test("series names and titles are escaped in the chart and its tooltip", () => {
  const output = new MemoryDisplaySink();
  const chart = liveChart({ output, clock: createVirtualClock(), title: `"><script>` });
  chart.push({ "<lr=0.1>": 1 });
  chart.stop();
  const html = output.shown()!["text/html"];
  assert.doesNotMatch(html, /<script>|<lr=/);
  assert.match(html, /&lt;lr=0.1&gt;/);
  assert.match(html, /title="&quot;&gt;&lt;script&gt;/);
});

Deno.test("points pushed after stop are ignored", () => {
  const output = new MemoryDisplaySink();
  const chart = liveChart({ output, clock: createVirtualClock() });
  chart.push(1);
  chart.stop();
  chart.push(2);
  assert.equal(chart.pushes, 1);
  assert.equal(output.frames.at(-1)?.phase, "final");
});

Deno.test("bad chart options are refused with their names", () => {
  for (
    const [options, option] of [[{ maxPoints: 1 }, "maxPoints"], [
      { widthPx: 0 },
      "widthPx",
    ]] as const
  ) {
    assert.throws(
      () => liveChart({ ...options, output: new MemoryDisplaySink() }),
      (err: Error & { option?: string }) => err.option === option,
    );
  }
});
