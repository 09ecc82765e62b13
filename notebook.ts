/**
 * Live displays for notebooks (the package's `./notebook` entry): a view of
 * a running system and charts that redraw one output in place while a cell
 * runs a sweep or a training loop. In a Jupyter kernel (`deno jupyter`) they
 * draw HTML and SVG into the cell's output; in a script they print a summary
 * line now and then. `mod.ts` has the runtime; static displays (`showDeaths`,
 * a system, an inspection) need nothing from here.
 *
 * @example
 * ```ts
 * import { ActorSystem } from "./mod.ts";
 * import { liveChart, liveView } from "./notebook.ts";
 *
 * const system = await ActorSystem.start();
 * const view = liveView(system, { intervalMs: 500 });
 * const loss = liveChart({ title: "loss" });
 * for (let step = 0; step < 100; step++) loss.push({ train: Math.exp(-step / 30) });
 * loss.stop();
 * await view.stop();
 * await system.shutdown();
 * ```
 *
 * @module
 */

export { LiveView, liveView } from "./actors/observe/live/live_view.ts";
export { LiveChart, liveChart } from "./actors/observe/live/live_chart.ts";
export { LiveDisplay, liveDisplay } from "./actors/observe/live/live_display.ts";
export { jupyterSink, textSink } from "./actors/observe/live/display_sink.ts";
export {
  SpanCollector,
  spansFromOtlp,
  traceWaterfall,
} from "./actors/observe/live/trace_waterfall.ts";
export type { WaterfallSpan } from "./actors/observe/live/trace_waterfall.ts";

export type { LiveViewOptions, LiveViewSource } from "./actors/observe/live/live_view.ts";
export type { LiveChartOptions } from "./actors/observe/live/live_chart.ts";
export type { LiveContent, LiveDisplayOptions } from "./actors/observe/live/live_display.ts";
export type { LiveOutputOptions } from "./actors/observe/live/_options.ts";
export type {
  DisplayFrame,
  DisplaySink,
  FramePhase,
  JupyterBroadcaster,
  MimeBundle,
  TextSinkOptions,
} from "./actors/observe/live/display_sink.ts";
