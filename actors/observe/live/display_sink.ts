/**
 * Where a live display draws. In a Jupyter kernel ({@linkcode jupyterSink})
 * the first frame is a `display_data` message whose `transient.display_id`
 * names the output, and every later frame an `update_display_data` with the
 * same id: the frontend (and nbclient, when a notebook runs headlessly)
 * replaces that output in place. Anywhere else ({@linkcode textSink}) a frame
 * is one line of text, printed at most every few seconds and once at the end.
 * Tests pass an in-memory twin (`MemoryDisplaySink` in the test kit).
 *
 * @module
 */

import { type Clock, systemClock } from "../../../base/clock.ts";

/** A Jupyter MIME bundle: a representation per MIME type. */
export type MimeBundle = Readonly<Record<string, string>>;

/**
 * Where a frame stands in its display's life:
 * - `"show"`: the first frame, which creates the output;
 * - `"update"`: a later one, which replaces it;
 * - `"final"`: the last one, drawn when the display stops.
 */
export type FramePhase = "show" | "update" | "final";

/** One drawing of a live display. */
export interface DisplayFrame {
  /** The output it draws into (unique per display). */
  readonly displayId: string;
  /** Where it stands in the display's life. */
  readonly phase: FramePhase;
  /** What to show: at least `text/plain`, one line. */
  readonly bundle: MimeBundle;
}

/** Draws the frames of live displays. A sink never throws. */
export interface DisplaySink {
  /** Draws one frame. */
  draw(frame: DisplayFrame): void;
}

/** The part of `Deno.jupyter` a sink uses. */
export interface JupyterBroadcaster {
  /** Sends a message on the kernel's iopub channel. */
  broadcast(msgType: string, content: Record<string, unknown>): unknown;
}

/**
 * A sink that draws into the output area of a Jupyter notebook.
 *
 * @param jupyter The kernel's API (`Deno.jupyter`).
 * @returns The sink.
 */
export function jupyterSink(jupyter: JupyterBroadcaster): DisplaySink {
  return {
    draw(frame: DisplayFrame): void {
      const content = {
        data: frame.bundle,
        metadata: {},
        transient: { display_id: frame.displayId },
      };
      try {
        const sent = jupyter.broadcast(
          frame.phase === "show" ? "display_data" : "update_display_data",
          content,
        );
        // Deno 1.x returned a promise; 2.x sends synchronously.
        if (sent instanceof Promise) sent.catch(() => {});
      } catch {
        // A display is an aid: a kernel that cannot take it must not fail the program.
      }
    },
  };
}

/** Options of {@linkcode textSink}. */
export interface TextSinkOptions {
  /**
   * Prints a line.
   * @default {console.log}
   */
  readonly write?: (line: string) => void;
  /**
   * The shortest time between two printed updates of one display, in
   * milliseconds; the final frame is always printed.
   * @default {5000}
   */
  readonly everyMs?: number;
  /**
   * The time source.
   * @default {the system clock}
   */
  readonly clock?: Clock;
}

/**
 * A sink for a program outside a notebook: it prints the first line of a
 * frame's `text/plain` at most once per `everyMs` for each display, and
 * always the final frame; the first frame (nothing measured yet) is not
 * printed.
 *
 * @param options Where to print and how often.
 * @returns The sink.
 */
export function textSink(options: TextSinkOptions = {}): DisplaySink {
  const write = options.write ?? ((line: string) => console.log(line));
  const everyMs = options.everyMs ?? 5_000;
  const clock = options.clock ?? systemClock;
  const lastMs = new Map<string, number>();
  return {
    draw(frame: DisplayFrame): void {
      const now = clock.now();
      if (frame.phase === "show") {
        lastMs.set(frame.displayId, now);
        return;
      }
      const last = lastMs.get(frame.displayId) ?? -Infinity;
      if (frame.phase === "update" && now - last < everyMs) return;
      lastMs.set(frame.displayId, now);
      if (frame.phase === "final") lastMs.delete(frame.displayId);
      try {
        write((frame.bundle["text/plain"] ?? "").split("\n")[0]);
      } catch {
        // Printing is an aid; a closed stdout must not fail the program.
      }
    },
  };
}

/** `Deno.jupyter` inside a Jupyter kernel, else `undefined` (reading it elsewhere throws). */
export function kernelJupyter(): JupyterBroadcaster | undefined {
  try {
    const jupyter = (Deno as unknown as { jupyter?: Partial<JupyterBroadcaster> }).jupyter;
    return typeof jupyter?.broadcast === "function" ? jupyter as JupyterBroadcaster : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sink a live display uses when it is given none: the notebook's output
 * area inside a Jupyter kernel, else a {@linkcode textSink} on `console.log`.
 */
export function defaultSink(): DisplaySink {
  const jupyter = kernelJupyter();
  return jupyter === undefined ? textSink() : jupyterSink(jupyter);
}
