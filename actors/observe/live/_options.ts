/**
 * Option checks shared by the live displays: a bad option is refused when
 * the display is made, with the option's name.
 *
 * @module
 */

import { InvalidOptionError } from "../../../base/errors.ts";
import { type Clock, systemClock } from "../../../base/clock.ts";
import { defaultSink, type DisplaySink } from "./display_sink.ts";
import type { FramesOptions } from "./_frames.ts";

/** What every live display accepts. */
export interface LiveOutputOptions {
  /**
   * The shortest time between two drawings of the output, in milliseconds:
   * changes in between are drawn together.
   * @default {250}
   */
  readonly minIntervalMs?: number;
  /**
   * Where it draws. Tests pass an in-memory sink (`MemoryDisplaySink` of
   * the test kit).
   * @default {the notebook's output area in a Jupyter kernel, else one line on `console.log` at most every 5 s and at the end}
   */
  readonly output?: DisplaySink;
  /**
   * The time source and timers.
   * @default {the system clock}
   */
  readonly clock?: Clock;
}

/** `value`, or `fallback` when it is `undefined`; refused unless a positive finite number. */
export function positiveOption(
  option: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || value === Infinity) {
    throw new InvalidOptionError(option, value, "a positive finite number");
  }
  return value;
}

/** `value`, or `fallback` when it is `undefined`; refused unless an integer of at least `min`. */
export function countOption(
  option: string,
  value: number | undefined,
  min: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(option, value, `an integer of at least ${min}`);
  }
  return value;
}

/** The frame schedule's options, with their defaults. */
export function framesOptions(options: LiveOutputOptions): FramesOptions {
  return {
    minIntervalMs: positiveOption("minIntervalMs", options.minIntervalMs, 250),
    sink: options.output ?? defaultSink(),
    clock: options.clock ?? systemClock,
  };
}
