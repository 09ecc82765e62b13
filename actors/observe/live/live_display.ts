/**
 * A notebook output that a program redraws in place: `liveDisplay()` shows
 * it in the cell that made it, `update()` replaces what it shows (text, a
 * MIME bundle, or anything with a `Symbol.for("Jupyter.display")` method),
 * `stop()` draws the last state. Frequent updates are drawn at most every
 * `minIntervalMs`, the latest one winning. Content is turned into a MIME
 * bundle when it is drawn: an object that displays itself (a system) shows
 * its state at that moment.
 *
 * @module
 */

import { type Displayable, JUPYTER_DISPLAY } from "../display.ts";
import type { MimeBundle } from "./display_sink.ts";
import { Frames } from "./_frames.ts";
import { framesOptions, type LiveOutputOptions } from "./_options.ts";

/**
 * What a live display shows: plain text, a MIME bundle such as
 * `{ "text/html": "<b>hi</b>", "text/plain": "hi" }`, or an object that
 * displays itself in a notebook.
 */
export type LiveContent = string | MimeBundle | Displayable;

/** Options of {@linkcode liveDisplay}. */
export type LiveDisplayOptions = LiveOutputOptions;

function bundleOf(content: LiveContent): MimeBundle {
  if (typeof content === "string") return { "text/plain": content };
  const display = (content as Partial<Displayable>)[JUPYTER_DISPLAY];
  const bundle: MimeBundle = typeof display === "function"
    ? { ...display.call(content) }
    : content as MimeBundle;
  return "text/plain" in bundle ? bundle : { ...bundle, "text/plain": "" };
}

/** An output that updates in place; see {@linkcode liveDisplay}. */
export class LiveDisplay {
  #content: LiveContent;
  readonly #frames: Frames;

  /** Use {@linkcode liveDisplay}. */
  constructor(initial: LiveContent, options: LiveDisplayOptions) {
    this.#content = initial;
    this.#frames = new Frames(() => bundleOf(this.#content), framesOptions(options));
    this.#frames.show();
  }

  /** The id of its output (`transient.display_id` in Jupyter messages). */
  get displayId(): string {
    return this.#frames.displayId;
  }

  /** Whether it stopped (it no longer changes). */
  get stopped(): boolean {
    return this.#frames.stopped;
  }

  /**
   * Replaces what it shows; ignored after {@linkcode LiveDisplay.stop}.
   *
   * @param content The new content.
   */
  update(content: LiveContent): void {
    if (this.#frames.stopped) return;
    this.#content = content;
    this.#frames.changed();
  }

  /**
   * Draws the last state now (after `content`, when given) and ends the
   * display; calling it again does nothing.
   *
   * @param content What it shows last, if not what it shows now.
   */
  stop(content?: LiveContent): void {
    if (this.#frames.stopped) return;
    if (content !== undefined) this.#content = content;
    this.#frames.stop();
  }
}

/**
 * Shows an output that the program then redraws in place, e.g. a progress
 * line or a table. In a Jupyter kernel it is an output of the cell that made
 * it, replaced on each update (`update_display_data`); in a script it prints
 * a line at most every 5 s and the last state at the end.
 *
 * @example
 * ```ts
 * import { liveDisplay } from "../../../notebook.ts";
 *
 * const status = liveDisplay("epoch 0");
 * for (let epoch = 1; epoch <= 3; epoch++) status.update(`epoch ${epoch}`);
 * status.stop(); // prints "epoch 3" outside a notebook
 * ```
 *
 * @param initial What it shows first.
 * @param options How often it redraws, and where.
 * @returns The display.
 * @throws {InvalidOptionError} For a bad option.
 */
export function liveDisplay(
  initial: LiveContent = "",
  options: LiveDisplayOptions = {},
): LiveDisplay {
  return new LiveDisplay(initial, options);
}
