/**
 * Line charts and sparklines as SVG text, drawn here with no plotting
 * library and nothing fetched: a notebook output that works offline and in
 * an exported file. Every piece of text is escaped; points that are not
 * finite numbers (a loss that diverged to `NaN` or `Infinity`) leave a gap.
 *
 * @module
 */

import { escapeHtml } from "../display.ts";

/** One line of a chart: `[x, y]` points in the order they were recorded. */
export interface ChartSeries {
  /** Its name, in the legend. */
  readonly name: string;
  /** Its points. */
  readonly points: readonly (readonly [x: number, y: number])[];
}

/** How a chart looks. */
export interface SvgChartOptions {
  /**
   * A title above the plot; none when empty.
   * @default {""}
   */
  readonly title?: string;
  /**
   * The x axis' name, after its range; none when not given.
   * @default {undefined}
   */
  readonly xLabel?: string;
  /**
   * The lowest y shown even when the data stay above it (`0` for rates);
   * by default the y range is the data's.
   * @default {undefined}
   */
  readonly yMin?: number;
  /**
   * Width in CSS pixels.
   * @default {480}
   */
  readonly widthPx?: number;
  /**
   * Height in CSS pixels.
   * @default {180}
   */
  readonly heightPx?: number;
}

/** Colours of the series, in order (they repeat after the last). */
export const PALETTE: readonly string[] = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
];

/** The colour of the `index`th series. */
export function seriesColour(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** A number in at most four significant digits: `1234`, `0.0123`, `1.2e-7`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-3) return value.toExponential(2).replace(/\.?0+e/, "e");
  if (abs >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(4)));
}

interface Range {
  readonly lo: number;
  readonly hi: number;
}

function rangeOf(values: Iterable<number>, floor?: number): Range | undefined {
  let lo = floor ?? Infinity;
  let hi = floor ?? -Infinity;
  let any = false;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    any = true;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!any) return undefined;
  if (lo === hi) {
    return {
      lo: lo - (lo === 0 ? 0 : Math.abs(lo) / 2),
      hi: hi + (hi === 0 ? 1 : Math.abs(hi) / 2),
    };
  }
  return { lo, hi };
}

/** The SVG path of `points`, one `M` after every gap; empty when nothing is finite. */
function pathOf(
  points: readonly (readonly [number, number])[],
  toX: (x: number) => number,
  toY: (y: number) => number,
): string {
  let d = "";
  let drawing = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      drawing = false;
      continue;
    }
    d += `${drawing ? "L" : "M"}${toX(x).toFixed(1)},${toY(y).toFixed(1)}`;
    drawing = true;
  }
  return d;
}

/** The most entries a legend has (its last says how many more series there are). */
const LEGEND_MAX = 6;

const FONT = `font-family="ui-monospace,monospace" font-size="10" fill="#555"`;

/**
 * Draws series as an SVG line chart: the y range from the data (and
 * `yMin`), both ranges written at the axes, a legend with each series' last
 * value.
 *
 * @param series The lines, in legend order.
 * @param options Title, axis label, size.
 * @returns An `<svg>` element, ready to put into HTML.
 */
export function svgLineChart(
  series: readonly ChartSeries[],
  options: SvgChartOptions = {},
): string {
  const width = options.widthPx ?? 480;
  const height = options.heightPx ?? 180;
  const title = options.title ?? "";
  const top = title === "" ? 8 : 22;
  // A legend of many series (hosts of a cluster) would crowd out the plot: it names the first few.
  const legend = series.slice(0, series.length > LEGEND_MAX ? LEGEND_MAX - 1 : LEGEND_MAX);
  const legendRows = Math.ceil(Math.min(series.length, LEGEND_MAX) / 3);
  const left = 52, right = 10, bottom = 22 + 14 * legendRows;
  const plotW = width - left - right, plotH = Math.max(20, height - top - bottom);
  const xs = rangeOf(series.flatMap((s) => s.points.map((p) => p[0])));
  const ys = rangeOf(series.flatMap((s) => s.points.map((p) => p[1])), options.yMin);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img">`,
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>`,
  ];
  if (title !== "") {
    parts.push(`<text x="${left}" y="14" ${FONT} font-weight="bold">${escapeHtml(title)}</text>`);
  }
  if (xs === undefined || ys === undefined) {
    parts.push(
      `<text x="${left + 8}" y="${top + plotH / 2}" ${FONT}>no data yet</text>`,
    );
  } else {
    const toX = (x: number) => left + (x - xs.lo) / (xs.hi - xs.lo) * plotW;
    const toY = (y: number) => top + plotH - (y - ys.lo) / (ys.hi - ys.lo) * plotH;
    parts.push(
      `<text x="${left - 4}" y="${top + 8}" text-anchor="end" ${FONT}>${
        formatNumber(ys.hi)
      }</text>`,
      `<text x="${left - 4}" y="${top + plotH}" text-anchor="end" ${FONT}>${
        formatNumber(ys.lo)
      }</text>`,
      `<text x="${left}" y="${top + plotH + 12}" ${FONT}>${formatNumber(xs.lo)}</text>`,
      `<text x="${left + plotW}" y="${top + plotH + 12}" text-anchor="end" ${FONT}>${
        formatNumber(xs.hi)
      }${options.xLabel === undefined ? "" : ` ${escapeHtml(options.xLabel)}`}</text>`,
    );
    series.forEach((s, i) => {
      const d = pathOf(s.points, toX, toY);
      if (d !== "") {
        parts.push(
          `<path d="${d}" fill="none" stroke="${seriesColour(i)}" stroke-width="1.5"/>`,
        );
      }
    });
  }
  if (legend.length < series.length) {
    const i = legend.length;
    parts.push(
      `<text x="${left + (i % 3) * Math.floor(plotW / 3)}" y="${
        top + plotH + 26 + 14 * Math.floor(i / 3)
      }" ${FONT}>and ${series.length - i} more</text>`,
    );
  }
  legend.forEach((s, i) => {
    const x = left + (i % 3) * Math.floor(plotW / 3);
    const y = top + plotH + 26 + 14 * Math.floor(i / 3);
    const last = s.points.at(-1);
    const lastText = last === undefined
      ? ""
      : Number.isFinite(last[1])
      ? ` ${formatNumber(last[1])}`
      : " -";
    parts.push(
      `<rect x="${x}" y="${y - 8}" width="10" height="3" fill="${seriesColour(i)}"/>` +
        `<text x="${x + 14}" y="${y}" ${FONT}>${escapeHtml(s.name)}${lastText}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

/**
 * Draws values as a small line without axes, for a table cell.
 *
 * @param values The values, oldest first; non-finite ones leave a gap.
 * @param options Size, colour, and the lowest y shown.
 * @returns An `<svg>` element.
 */
export function svgSparkline(
  values: readonly number[],
  options: {
    readonly widthPx?: number;
    readonly heightPx?: number;
    readonly colour?: string;
    readonly yMin?: number;
  } = {},
): string {
  const width = options.widthPx ?? 100;
  const height = options.heightPx ?? 18;
  const ys = rangeOf(values, options.yMin);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}">`;
  if (ys === undefined || values.length < 2) return `${head}</svg>`;
  const toX = (i: number) => 1 + i / (values.length - 1) * (width - 2);
  const toY = (y: number) => height - 1 - (y - ys.lo) / (ys.hi - ys.lo) * (height - 2);
  const d = pathOf(values.map((v, i) => [i, v] as const), toX, toY);
  return `${head}<path d="${d}" fill="none" stroke="${
    escapeHtml(options.colour ?? PALETTE[0])
  }" stroke-width="1.2"/></svg>`;
}
