/**
 * The in-memory twin of a live display's sink: it keeps every frame and what
 * each output shows now, as a notebook frontend would after applying the
 * updates. Pass it as `output` to `liveView`, `liveChart` or `liveDisplay`.
 *
 * @module
 */

import type { DisplayFrame, DisplaySink, MimeBundle } from "../actors/observe/live/display_sink.ts";

/** A sink that records frames instead of drawing them. */
export class MemoryDisplaySink implements DisplaySink {
  readonly #frames: DisplayFrame[] = [];
  readonly #shown = new Map<string, MimeBundle>();

  /** Records a frame. */
  draw(frame: DisplayFrame): void {
    this.#frames.push(frame);
    // As in Jupyter, an update to an output that was never shown changes nothing.
    if (frame.phase === "show" || this.#shown.has(frame.displayId)) {
      this.#shown.set(frame.displayId, frame.bundle);
    }
  }

  /** Every frame so far, oldest first. */
  get frames(): readonly DisplayFrame[] {
    return this.#frames;
  }

  /** The ids of the outputs shown, in the order they appeared. */
  get outputs(): readonly string[] {
    return [...this.#shown.keys()];
  }

  /**
   * What an output shows now (the last output when no id is given).
   *
   * @param displayId The output.
   * @returns Its bundle, or `undefined` when it was never shown.
   */
  shown(displayId?: string): MimeBundle | undefined {
    return this.#shown.get(displayId ?? this.outputs.at(-1) ?? "");
  }

  /**
   * Whether the output's last frame was its final one.
   *
   * @param displayId The output (the last one when not given).
   */
  ended(displayId?: string): boolean {
    const id = displayId ?? this.outputs.at(-1);
    return this.#frames.findLast((f) => f.displayId === id)?.phase === "final";
  }
}
