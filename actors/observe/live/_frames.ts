/**
 * The frames of one live output: the first drawn at once, later ones at most
 * once per `minIntervalMs` (a change in between is drawn by a trailing timer
 * that does not keep the process alive), the last when it stops. Rendering
 * happens only when a frame is drawn, so a training loop that reports every
 * step pays for a drawing a few times a second, not per step.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../../../base/clock.ts";
import { describeError } from "../../../base/errors.ts";
import type { DisplaySink, FramePhase, MimeBundle } from "./display_sink.ts";

/** What a live output needs around it. */
export interface FramesOptions {
  /** Where frames go. */
  readonly sink: DisplaySink;
  /** Time and the trailing timer. */
  readonly clock: Clock;
  /** The shortest time between two drawn updates, in milliseconds. */
  readonly minIntervalMs: number;
}

/** The drawing schedule of one output. */
export class Frames {
  /** The output's display id. */
  readonly displayId: string = `actors-live-${crypto.randomUUID()}`;
  readonly #render: () => MimeBundle;
  readonly #options: FramesOptions;
  #lastDrawMs: number;
  #timer: TimerHandle | undefined;
  #stopped = false;

  /** Call {@linkcode Frames.show} once the owner can render. */
  constructor(render: () => MimeBundle, options: FramesOptions) {
    this.#render = render;
    this.#options = options;
    this.#lastDrawMs = options.clock.now();
  }

  /** Draws the first frame, which creates the output. */
  show(): void {
    this.#draw("show");
  }

  /** Whether the last frame was drawn. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Says that what the output shows changed: draws now, or soon. */
  changed(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const { clock, minIntervalMs } = this.#options;
    const waitMs = this.#lastDrawMs + minIntervalMs - clock.now();
    if (waitMs <= 0) {
      this.#draw("update");
      return;
    }
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) this.#draw("update");
    }, waitMs);
    clock.keepAlive(this.#timer, false);
  }

  /** Draws the last frame; later changes are ignored. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#draw("final");
  }

  #draw(phase: FramePhase): void {
    this.#lastDrawMs = this.#options.clock.now();
    let bundle: MimeBundle;
    try {
      bundle = this.#render();
    } catch (err) {
      const { name, message } = describeError(err);
      bundle = { "text/plain": `the display failed to render: ${name}: ${message}` };
    }
    this.#options.sink.draw({ displayId: this.displayId, phase, bundle });
  }
}
