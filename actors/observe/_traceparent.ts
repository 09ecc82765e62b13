/**
 * W3C trace context (`traceparent`, `tracestate`) written and read without a
 * registered propagator: the envelope field of protocol v2 must work with
 * Deno's built-in OpenTelemetry and with an SDK that registered none.
 *
 * @module
 */

import {
  type Context,
  createTraceState,
  isSpanContextValid,
  type SpanContext,
  trace,
} from "npm:@opentelemetry/api@1.9.0";

/** `version-traceId-spanId-flags`, version `00` (W3C Trace Context, level 1). */
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The longest `tracestate` carried (W3C allows 32 members of at most 256 characters each). */
const MAX_TRACESTATE_CHARS = 8192;

/** The trace context of an envelope, as it travels. */
export interface WireTrace {
  /** The sender's span, as a W3C `traceparent`. */
  readonly traceparent: string;
  /** Vendor data of the trace, as a W3C `tracestate`, when there is any. */
  readonly tracestate?: string;
}

/** The all-zero ids, which W3C calls invalid. */
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/**
 * The last span written and its fields: a turn sends all its messages in
 * the same span, so each one after the first reuses them instead of
 * validating the ids (two regular expressions) and formatting them again.
 */
let lastSpan: SpanContext | undefined;
let lastWire: WireTrace | undefined;

/** The span of `ctx` as wire fields, or `undefined` when it has no valid span. */
export function toWire(ctx: Context): WireTrace | undefined {
  const span = trace.getSpanContext(ctx);
  if (span === undefined) return undefined;
  if (span === lastSpan) return lastWire;
  let wire: WireTrace | undefined;
  if (isSpanContextValid(span)) {
    const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
    const traceparent = `00-${span.traceId}-${span.spanId}-${flags}`;
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
 */
export function fromWire(traceparent: string, tracestate?: string): SpanContext | undefined {
  // The pattern checks every character, so only the all-zero ids are left to refuse.
  if (!TRACEPARENT.test(traceparent)) return undefined;
  const traceId = traceparent.slice(3, 35);
  const spanId = traceparent.slice(36, 52);
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  const traceFlags = parseInt(traceparent.slice(53, 55), 16);
  return tracestate !== undefined && tracestate.length <= MAX_TRACESTATE_CHARS
    ? { traceId, spanId, traceFlags, isRemote: true, traceState: createTraceState(tracestate) }
    : { traceId, spanId, traceFlags, isRemote: true };
}
