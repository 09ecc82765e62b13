import assert from "node:assert/strict";
import {
  formatNumber,
  seriesColour,
  svgLineChart,
  svgSparkline,
} from "../../../../actors/observe/live/svg_chart.ts";

const paths = (svg: string) => [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);

Deno.test("a line chart draws one path per series, in its colour, with a legend of last values", () => {
  const svg = svgLineChart([
    { name: "train", points: [[0, 2], [1, 1], [2, 0.5]] },
    { name: "val", points: [[0, 2.5], [2, 0.75]] },
  ], { title: "loss", xLabel: "step" });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>$/);
  assert.equal(paths(svg).length, 2);
  assert.match(svg, new RegExp(`stroke="${seriesColour(0)}"`));
  assert.match(svg, new RegExp(`stroke="${seriesColour(1)}"`));
  assert.match(svg, />train 0.5</);
  assert.match(svg, />val 0.75</);
  assert.match(svg, />loss</);
  assert.match(svg, />2 step</, "the x range ends at the last step");
  assert.match(svg, />2.5</, "the top of the y range");
});

Deno.test("every text in a chart is escaped", () => {
  const svg = svgLineChart([{ name: `<script>"a"&'b'`, points: [[0, 1]] }], {
    title: "</svg><img src=x>",
    xLabel: "<x>",
  });
  assert.doesNotMatch(svg, /<script>|<img|<x>/);
  assert.match(svg, /&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;/);
  assert.match(svg, /&lt;\/svg&gt;&lt;img src=x&gt;/);
  assert.match(svg, /&lt;x&gt;/);
});

Deno.test("a value that is not finite leaves a gap in its line", () => {
  const svg = svgLineChart([
    { name: "loss", points: [[0, 1], [1, 0.8], [2, NaN], [3, Infinity], [4, 0.5], [5, 0.4]] },
  ]);
  const [d] = paths(svg);
  assert.equal(d.match(/M/g)?.length, 2, "two pieces");
  assert.equal(d.match(/L/g)?.length, 2);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  const diverged = svgLineChart([{ name: "loss", points: [[0, 1], [1, NaN]] }]);
  assert.match(diverged, />loss -</, "a last value that is not finite shows as -");
});

Deno.test("yMin keeps the bottom of the y range down; a chart with no data says so", () => {
  const rates = svgLineChart([{ name: "h", points: [[0, 50], [1, 60]] }], { yMin: 0 });
  assert.match(rates, /text-anchor="end"[^>]*>0</, "the y range starts at 0");
  const empty = svgLineChart([{ name: "h", points: [] }]);
  assert.match(empty, /no data yet/);
  assert.equal(paths(empty).length, 0);
});

Deno.test("a flat series still gets a y range, and one point draws without dividing by zero", () => {
  const svg = svgLineChart([{ name: "flat", points: [[3, 7]] }]);
  const [d] = paths(svg);
  assert.match(d, /^M[\d.]+,[\d.]+$/);
});

Deno.test("a legend names at most six series and says how many more there are", () => {
  const hosts = Array.from(
    { length: 32 },
    (_, i) => ({ name: `h${i}`, points: [[0, i]] as const }),
  );
  const svg = svgLineChart(hosts, { heightPx: 180 });
  assert.equal(paths(svg).length, 32, "every series is drawn");
  assert.match(svg, />h4 4</);
  assert.doesNotMatch(svg, />h5 /);
  assert.match(svg, />and 27 more</);
  const heights = [...svg.matchAll(/<rect x="52" y="(\d+)" width="\d+" height="(\d+)"/g)];
  assert.ok(Number(heights[0][2]) > 50, "the plot keeps its room");
});

Deno.test("a sparkline is a bare line scaled into its box", () => {
  const svg = svgSparkline([0, 10, 5], { widthPx: 100, heightPx: 18, colour: "#f00", yMin: 0 });
  assert.equal(paths(svg)[0], "M1.0,17.0L50.0,1.0L99.0,9.0");
  assert.match(svg, /stroke="#f00"/);
  assert.equal(paths(svgSparkline([4])).length, 0, "one value draws nothing");
});

Deno.test("numbers keep four significant digits at most", () => {
  const table: [number, string][] = [
    [0, "0"],
    [1234.6, "1235"],
    [0.123456, "0.1235"],
    [2.5, "2.5"],
    [0.00001234, "1.23e-5"],
    [12_345_678, "1.23e+7"],
    [NaN, "NaN"],
  ];
  for (const [value, text] of table) assert.equal(formatNumber(value), text, String(value));
});
