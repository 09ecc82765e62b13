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
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The longest `tracestate` carried (W3C allows 32 members of at most 256 characters each). */
const MAX_TRACESTATE_CHARS = 8192;

/** The trace context of an envelope, as it travels. */
export interface WireTrace {
  /** The sender's span, as a W3C `traceparent`. */
  readonly traceparent: string;
  /** Vendor data of the trace, as a W3C `tracestate`, when there is any. */
  readonly tracestate?: string;
}

/** The span of `ctx` as wire fields, or `undefined` when it has no valid span. */
export function toWire(ctx: Context): WireTrace | undefined {
  const span = trace.getSpanContext(ctx);
  if (span === undefined || !isSpanContextValid(span)) return undefined;
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
  const traceparent = `00-${span.traceId}-${span.spanId}-${flags}`;
  const state = span.traceState?.serialize();
  return state === undefined || state === "" ? { traceparent } : { traceparent, tracestate: state };
}

/**
 * The remote span a `traceparent` names, or `undefined` when it is not a
 * valid one (an invalid context is ignored, as W3C asks, never an error).
 */
export function fromWire(traceparent: string, tracestate?: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent);
  if (match === null) return undefined;
  const span: SpanContext = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16),
    isRemote: true,
    ...(tracestate !== undefined && tracestate.length <= MAX_TRACESTATE_CHARS
      ? { traceState: createTraceState(tracestate) }
      : {}),
  };
  return isSpanContextValid(span) ? span : undefined;
}
