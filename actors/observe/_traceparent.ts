/**
 * W3C trace context (`traceparent`, `tracestate`) written and read without a
 * registered propagator: the envelope field of protocol v2 must work with
 * Deno's built-in OpenTelemetry and with an SDK that registered none.
 *
 * Both directions run once per traced message, so they check characters
 * with a loop over char codes rather than regular expressions and slices
 * of slices: a traced remote ask spent more in them than in its span.
 *
 * @module
 */

import {
  type Context,
  createTraceState,
  type SpanContext,
  trace,
} from "npm:@opentelemetry/api@1.9.0";

/** `00-` + 32 + `-` + 16 + `-` + 2 characters (W3C Trace Context, level 1, version `00`). */
const TRACEPARENT_CHARS = 55;
const TRACE_ID_AT = 3;
const SPAN_ID_AT = 36;
const FLAGS_AT = 53;

/** The longest `tracestate` carried (W3C allows 32 members of at most 256 characters each). */
const MAX_TRACESTATE_CHARS = 8192;

/** The trace context of an envelope, as it travels. */
export interface WireTrace {
  /** The sender's span, as a W3C `traceparent`. */
  readonly traceparent: string;
  /** Vendor data of the trace, as a W3C `tracestate`, when there is any. */
  readonly tracestate?: string;
}

/** The two lowercase hex characters of each flags byte, formatted once. */
const FLAGS_HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, n) => n.toString(16).padStart(2, "0"),
);

/** The value of a lowercase hex digit's char code, or -1 (W3C allows no uppercase). */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Whether `text[from, from + length)` is lowercase hex and not all zeros
 * (W3C calls all-zero ids invalid).
 */
function validId(text: string, from: number, length: number): boolean {
  let nonZero = false;
  for (let i = from; i < from + length; i++) {
    const value = hexValue(text.charCodeAt(i));
    if (value < 0) return false;
    if (value !== 0) nonZero = true;
  }
  return nonZero;
}

/**
 * The last span written and its fields: a turn sends all its messages in
 * the same span, so each one after the first reuses them.
 */
let lastSpan: SpanContext | undefined;
let lastWire: WireTrace | undefined;

/** The span of `ctx` as wire fields, or `undefined` when it has no valid span. */
export function toWire(ctx: Context): WireTrace | undefined {
  const span = trace.getSpanContext(ctx);
  if (span === undefined) return undefined;
  if (span === lastSpan) return lastWire;
  let wire: WireTrace | undefined;
  const { traceId, spanId } = span;
  if (
    traceId.length === 32 && spanId.length === 16 && validId(traceId, 0, 32) &&
    validId(spanId, 0, 16)
  ) {
    const traceparent = `00-${traceId}-${spanId}-${FLAGS_HEX[span.traceFlags & 0xff]}`;
    const state = span.traceState?.serialize();
    wire = state === undefined || state === ""
      ? { traceparent }
      : { traceparent, tracestate: state };
  }
  lastSpan = span;
  lastWire = wire;
  return wire;
}

/**
 * The remote span a `traceparent` names, or `undefined` when it is not a
 * valid one (an invalid context is ignored, as W3C asks, never an error).
 * A `tracestate` longer than W3C allows is left out.
 */
export function fromWire(traceparent: string, tracestate?: string): SpanContext | undefined {
  if (
    traceparent.length !== TRACEPARENT_CHARS ||
    traceparent.charCodeAt(0) !== 48 || traceparent.charCodeAt(1) !== 48 ||
    traceparent.charCodeAt(2) !== 45 || traceparent.charCodeAt(SPAN_ID_AT - 1) !== 45 ||
    traceparent.charCodeAt(FLAGS_AT - 1) !== 45 ||
    !validId(traceparent, TRACE_ID_AT, 32) || !validId(traceparent, SPAN_ID_AT, 16)
  ) return undefined;
  const high = hexValue(traceparent.charCodeAt(FLAGS_AT));
  const low = hexValue(traceparent.charCodeAt(FLAGS_AT + 1));
  if (high < 0 || low < 0) return undefined;
  const traceId = traceparent.slice(TRACE_ID_AT, TRACE_ID_AT + 32);
  const spanId = traceparent.slice(SPAN_ID_AT, SPAN_ID_AT + 16);
  const traceFlags = high * 16 + low;
  return tracestate !== undefined && tracestate.length <= MAX_TRACESTATE_CHARS
    ? { traceId, spanId, traceFlags, isRemote: true, traceState: createTraceState(tracestate) }
    : { traceId, spanId, traceFlags, isRemote: true };
}
