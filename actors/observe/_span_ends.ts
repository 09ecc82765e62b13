/**
 * Ends the spans of handler turns after the turn, in batches: each with the
 * time its turn ended, {@linkcode END_AFTER_MS} after the first of a batch,
 * or at once when {@linkcode MAX_WAITING_SPANS} wait. A turn that needed no
 * span of its own (`_turn_span.ts`) has its span started and ended only
 * here, so the tracer provider is called after the turn's reply went out,
 * not before. Spans still waiting are ended when their system shuts down
 * and when the process exits (`unload`).
 *
 * @module
 */

import type { Span } from "npm:@opentelemetry/api@1.9.0";

/** How long the first span of a batch waits, in milliseconds. */
export const END_AFTER_MS = 20;
/** The most spans that wait at once: one more ends the batch at once. */
export const MAX_WAITING_SPANS = 1_024;

const spans: Span[] = [];
const endTimesMs: number[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let listening = false;

/** Ends every waiting span now, in the order their turns ended. */
export function endWaitingSpans(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  const count = spans.length;
  const ending = spans.splice(0, count);
  const times = endTimesMs.splice(0, count);
  for (let i = 0; i < count; i++) {
    try {
      ending[i].end(times[i]);
    } catch {
      // A tracer provider that throws loses its own span, never the host (this runs on a timer).
    }
  }
}

/** Ends `span` soon, at this time (milliseconds since the epoch, as the API reads a number). */
export function endSpanSoon(span: Span): void {
  spans.push(span);
  endTimesMs.push(performance.timeOrigin + performance.now());
  if (spans.length >= MAX_WAITING_SPANS) return endWaitingSpans();
  if (timer !== undefined) return;
  timer = setTimeout(endWaitingSpans, END_AFTER_MS);
  if (!listening && typeof globalThis.addEventListener === "function") {
    listening = true;
    globalThis.addEventListener("unload", endWaitingSpans);
  }
}
