/**
 * A line chart that grows while a program runs, such as a loss curve: each
 * `push()` adds a point to one or more named series and the chart redraws in
 * place, as SVG drawn here (no plotting library, nothing fetched).
 *
 * @module
 */

import { escapeHtml } from "../display.ts";
import type { MimeBundle } from "./display_sink.ts";
import { Frames } from "./_frames.ts";
import { countOption, framesOptions, type LiveOutputOptions, positiveOption } from "./_options.ts";
import { formatNumber, svgLineChart } from "./svg_chart.ts";

/** Options of {@linkcode liveChart}. */
export interface LiveChartOptions extends LiveOutputOptions {
  /**
   * The title above the plot.
   * @default {"chart"}
   */
  readonly title?: string;
  /**
   * The x axis' name.
   * @default {"step"}
   */
  readonly xLabel?: string;
  /**
   * How many of its latest points each series shows.
   * @default {1000}
   */
  readonly maxPoints?: number;
  /**
   * The lowest y shown even when the data stay above it (`0` for counts and
   * rates); by default the y range is the data's.
   * @default {undefined}
   */
  readonly yMin?: number;
  /**
   * The chart's width in CSS pixels.
   * @default {480}
   */
  readonly widthPx?: number;
  /**
   * The chart's height in CSS pixels.
   * @default {200}
   */
  readonly heightPx?: number;
}

/** The name of the series of a `push(number)`. */
const SINGLE = "value";

/** A chart that updates in place; see {@linkcode liveChart}. */
export class LiveChart {
  readonly #series = new Map<string, [number, number][]>();
  readonly #options: LiveChartOptions;
  readonly #maxPoints: number;
  readonly #frames: Frames;
  #pushes = 0;
  #nextX = 0;

  /** Use {@linkcode liveChart}. */
  constructor(options: LiveChartOptions) {
    this.#maxPoints = countOption("maxPoints", options.maxPoints, 2, 1_000);
    positiveOption("widthPx", options.widthPx, 480);
    positiveOption("heightPx", options.heightPx, 200);
    this.#options = options;
    this.#frames = new Frames(() => this.#render(), framesOptions(options));
    this.#frames.show();
  }

  /** The id of its output (`transient.display_id` in Jupyter messages). */
  get displayId(): string {
    return this.#frames.displayId;
  }

  /** How many times {@linkcode LiveChart.push} added points. */
  get pushes(): number {
    return this.#pushes;
  }

  /** Whether it stopped (it no longer changes). */
  get stopped(): boolean {
    return this.#frames.stopped;
  }

  /**
   * Adds a point to each series named in `y` (or to the one series `"value"`
   * for a bare number); ignored after {@linkcode LiveChart.stop}. A value that
   * is not finite (`NaN`, `Infinity`) leaves a gap in its line.
   *
   * @param y The value, or a value per series: `{ train: 0.9, val: 1.1 }`.
   * @param x Where on the x axis; by default one past the previous push's.
   */
  push(y: number | Readonly<Record<string, number>>, x?: number): void {
    if (this.#frames.stopped) return;
    const at = x ?? this.#nextX;
    this.#nextX = at + 1;
    this.#pushes++;
    const values = typeof y === "number" ? { [SINGLE]: y } : y;
    for (const [name, value] of Object.entries(values)) {
      let points = this.#series.get(name);
      if (points === undefined) this.#series.set(name, points = []);
      points.push([at, value]);
      if (points.length >= 2 * this.#maxPoints) points.splice(0, points.length - this.#maxPoints);
    }
    this.#frames.changed();
  }

  /** Draws the last state now and ends the chart; calling it again does nothing. */
  stop(): void {
    this.#frames.stop();
  }

  /** One line: the title and the last value of each series. */
  toString(): string {
    const title = this.#options.title ?? "chart";
    const lasts = [...this.#series].map(([name, points]) => {
      const [x, y] = points.at(-1)!;
      return `${name} ${formatNumber(y)} at ${this.#options.xLabel ?? "step"} ${formatNumber(x)}`;
    });
    const state = this.#frames.stopped ? ", stopped" : "";
    return `${title}: ${lasts.length === 0 ? "no data yet" : lasts.join(", ")} ` +
      `(${this.#pushes} point${this.#pushes === 1 ? "" : "s"}${state})`;
  }

  #render(): MimeBundle {
    const series = [...this.#series].map(([name, points]) => ({
      name,
      points: points.slice(-this.#maxPoints),
    }));
    const svg = svgLineChart(series, {
      title: this.#options.title ?? "chart",
      xLabel: this.#options.xLabel ?? "step",
      widthPx: this.#options.widthPx ?? 480,
      heightPx: this.#options.heightPx ?? 200,
      ...(this.#options.yMin === undefined ? {} : { yMin: this.#options.yMin }),
    });
    const text = this.toString();
    return {
      "text/plain": text,
      "text/html": `<div title="${escapeHtml(text)}">${svg}</div>`,
    };
  }
}

/**
 * Shows a line chart that redraws in place as points arrive: a loss curve
 * while a model trains, a metric per trial while a sweep runs. It redraws at
 * most every `minIntervalMs` (default 250 ms), however often `push` is
 * called. Outside a notebook it prints a line with the latest values at most
 * every 5 s and at the end.
 *
 * @example
 * ```ts
 * import { liveChart } from "../../../notebook.ts";
 *
 * const loss = liveChart({ title: "loss", maxPoints: 500 });
 * for (let step = 0; step < 100; step++) {
 *   loss.push({ train: Math.exp(-step / 30), val: 1.1 * Math.exp(-step / 35) });
 * }
 * loss.stop(); // in a script: "loss: train 0.037 at step 99, val 0.065 at step 99 (100 points, stopped)"
 * ```
 *
 * @param options Title, axis label, how many points, size, and how often it redraws.
 * @returns The chart.
 * @throws {InvalidOptionError} For a bad option.
 */
export function liveChart(options: LiveChartOptions = {}): LiveChart {
  return new LiveChart(options);
}
