/**
 * A live view of a running system for a notebook: one call in a cell shows
 * its hosts (state, actors, queued messages, messages handled per second)
 * and a chart of each host's rate, redrawn in place every `intervalMs` from
 * `system.inspect()`. It stops when asked or when the system shuts down, and
 * its timer never keeps a program alive.
 *
 * @module
 */

import type { TimerHandle } from "../../../base/clock.ts";
import { describeError } from "../../../base/errors.ts";
import type { HostReport, Inspection, InspectOptions } from "../inspection.ts";
import { Frames, type FramesOptions } from "./_frames.ts";
import { countOption, framesOptions, type LiveOutputOptions, positiveOption } from "./_options.ts";
import { type LiveViewEnd, renderLiveView } from "./_live_view_render.ts";

/** What a live view needs of a system (an `ActorSystem` has it). */
export interface LiveViewSource {
  /** Takes an inspection of the system. */
  inspect(options: InspectOptions): Promise<Inspection>;
  /** `"running"` until the system starts to shut down. */
  readonly status: string;
}

/** Options of {@linkcode liveView}. */
export interface LiveViewOptions extends LiveOutputOptions {
  /**
   * How often it samples the system, in milliseconds.
   * @default {1000}
   */
  readonly intervalMs?: number;
  /**
   * How many recent samples the chart and the sparklines show.
   * @default {60}
   */
  readonly samples?: number;
  /**
   * Which hosts: `"cluster"` (every host) or `"host"` (this one).
   * @default {"cluster"} when the system joined a cluster, else `"host"`
   */
  readonly scope?: "host" | "cluster";
  /**
   * The title of the view.
   * @default {"actor system"}
   */
  readonly title?: string;
}

/** A live view of a system; see {@linkcode liveView}. */
export class LiveView {
  readonly #source: LiveViewSource;
  readonly #frames: Frames;
  readonly #clock: FramesOptions["clock"];
  readonly #intervalMs: number;
  readonly #window: number;
  readonly #inspect: InspectOptions;
  readonly #title: string;
  readonly #startMs: number;
  readonly #rates = new Map<string, [number, number][]>();
  #hosts: readonly HostReport[] = [];
  #samples = 0;
  #problem: string | undefined;
  #stopReason: LiveViewEnd | undefined;
  #timer: TimerHandle | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;

  /** Use {@linkcode liveView}. */
  constructor(source: LiveViewSource, options: LiveViewOptions) {
    this.#source = source;
    this.#intervalMs = positiveOption("intervalMs", options.intervalMs, 1_000);
    this.#window = countOption("samples", options.samples, 2, 60);
    this.#title = options.title ?? "actor system";
    this.#inspect = {
      recent: 0,
      // The view counts actors per host; it lists none.
      actorsPerHost: 0,
      timeoutMs: Math.min(2_000, Math.max(500, this.#intervalMs)),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    };
    const frames = framesOptions(options);
    this.#clock = frames.clock;
    this.#startMs = frames.clock.now();
    this.#frames = new Frames(() =>
      renderLiveView({
        title: this.#title,
        samples: this.#samples,
        hosts: this.#hosts,
        rates: this.#rates,
        problem: this.#problem,
        stopped: this.#stopReason,
      }), frames);
    this.#frames.show();
    this.#tick();
  }

  /** The id of its output (`transient.display_id` in Jupyter messages). */
  get displayId(): string {
    return this.#frames.displayId;
  }

  /** How many samples it took. */
  get samples(): number {
    return this.#samples;
  }

  /** Whether it stopped (asked to, or because the system shut down). */
  get stopped(): boolean {
    return this.#frames.stopped;
  }

  /**
   * Takes a last sample (while the system runs), draws it and ends the view;
   * calling it again returns the same completion. It never rejects.
   *
   * @returns Resolves once the last frame is drawn.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#cancelTimer();
      await this.#inFlight;
      if (this.#frames.stopped) return;
      if (this.#source.status === "running") await this.#sample();
      this.#end(this.#source.status === "running" ? "stopped" : "system-shut-down");
    })();
    return this.#stopping;
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#stopping !== undefined || this.#frames.stopped) return;
    if (this.#source.status !== "running") return this.#end("system-shut-down");
    this.#inFlight = this.#sample().then(() => {
      if (this.#stopping !== undefined || this.#frames.stopped) return;
      if (this.#source.status !== "running") return this.#end("system-shut-down");
      this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#intervalMs);
      this.#clock.keepAlive(this.#timer, false);
    });
  }

  async #sample(): Promise<void> {
    let inspection: Inspection;
    try {
      inspection = await this.#source.inspect(this.#inspect);
    } catch (err) {
      if (this.#source.status !== "running") return;
      const { name, message } = describeError(err);
      this.#problem = `the last sample failed: ${name}: ${message}`;
      this.#frames.changed();
      return;
    }
    this.#record(inspection);
    this.#frames.changed();
  }

  #record(inspection: Inspection): void {
    this.#samples++;
    this.#problem = undefined;
    this.#hosts = inspection.hosts;
    const atS = Math.round((this.#clock.now() - this.#startMs) / 100) / 10;
    for (const host of inspection.hosts) {
      let points = this.#rates.get(host.hostId);
      if (points === undefined) this.#rates.set(host.hostId, points = []);
      points.push([atS, host.messagesPerSecond ?? NaN]);
    }
    // The window is the last `samples` samples: older points, and hosts with none left, go.
    const oldestS = atS - (this.#window - 1) * this.#intervalMs / 1_000;
    for (const [hostId, points] of this.#rates) {
      const keep = points.findIndex(([t]) => t >= oldestS - 1e-9);
      if (keep === -1) this.#rates.delete(hostId);
      else if (keep > 0) points.splice(0, keep);
      if (points.length > this.#window) points.splice(0, points.length - this.#window);
    }
  }

  #end(reason: LiveViewEnd): void {
    this.#cancelTimer();
    this.#stopReason = reason;
    this.#frames.stop();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * Shows a live view of a system in a notebook cell: its hosts with their
 * state, live actors, queued messages and messages handled per second, a
 * sparkline of each host's recent rate, and a chart of the rates, redrawn
 * in place every `intervalMs` while the rest of the cell (a sweep, a
 * training loop) runs. It samples with `system.inspect()`, so on a cluster
 * it shows every host.
 *
 * Each sample is an inspection that lists no actors (`recent: 0`,
 * `actorsPerHost: 0`): every host counts its actors in slices and answers
 * with its figures alone, so a host with a million actors costs a short
 * answer; on a cluster of many hosts sample less often (`intervalMs`) or
 * watch this host alone (`scope: "host"`). The table lists the first 50
 * hosts; the summary line and the chart count them all.
 *
 * Call `await view.stop()` when done; it also stops by itself when the
 * system shuts down. Its timer never keeps a program alive. Outside a
 * notebook it prints one summary line at most every 5 s and at the end.
 * Running the cell again makes a second view: stop the first one before.
 *
 * @example
 * ```ts
 * import { ActorSystem, defineActor, type Tell } from "../../../mod.ts";
 * import { liveView } from "../../../notebook.ts";
 *
 * const Sink = defineActor<{ put: Tell<number> }, number>({
 *   type: "sink",
 *   init: () => 0,
 *   tells: { put: (n, x) => n + x },
 * });
 * const system = await ActorSystem.start();
 * const view = liveView(system, { intervalMs: 250 });
 * const sink = system.spawn(Sink);
 * for (let i = 0; i < 1_000; i++) sink.tell("put", i);
 * await view.stop(); // in a script: "actor system: 1 host, ... msg/s, 0 queued, 1 actor (2 samples, stopped)"
 * await system.shutdown();
 * ```
 *
 * @param system The system to watch (an `ActorSystem`).
 * @param options How often it samples, how many samples it shows, which hosts.
 * @returns The view.
 * @throws {InvalidOptionError} For a bad option.
 */
export function liveView(system: LiveViewSource, options: LiveViewOptions = {}): LiveView {
  return new LiveView(system, options);
}
