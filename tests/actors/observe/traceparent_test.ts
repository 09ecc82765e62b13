/**
 * The W3C trace context of envelopes (actors/observe/_traceparent.ts), read
 * and written by hand since it runs once per traced message, and the
 * context a traced turn runs in (actors/observe/_turn_context.ts).
 */

import assert from "node:assert/strict";
import { createContextKey, ROOT_CONTEXT, trace, TraceFlags } from "npm:@opentelemetry/api@1.9.0";
import { fromWire, toWire } from "../../../actors/observe/_traceparent.ts";
import { withSpan } from "../../../actors/observe/_turn_context.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

Deno.test("a valid traceparent is read into a remote span context with its flags", () => {
  assert.deepEqual(fromWire(VALID), {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  assert.equal(fromWire(`00-${TRACE_ID}-${SPAN_ID}-a0`)?.traceFlags, 0xa0);
  assert.equal(fromWire(VALID, "vendor=x")?.traceState?.get("vendor"), "x");
});

Deno.test("an invalid traceparent is ignored, as W3C asks, never an error", () => {
  const invalid = [
    "",
    VALID.slice(0, -1),
    `${VALID}0`,
    `01-${TRACE_ID}-${SPAN_ID}-01`,
    `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
    `00-${"0".repeat(32)}-${SPAN_ID}-01`,
    `00-${TRACE_ID}-${"0".repeat(16)}-01`,
    `00-${TRACE_ID}-${SPAN_ID}-0g`,
    `00_${TRACE_ID}-${SPAN_ID}-01`,
    `00-${TRACE_ID}_${SPAN_ID}-01`,
    `00-${TRACE_ID}-${SPAN_ID}_01`,
    `00-${TRACE_ID.slice(0, 31)}z-${SPAN_ID}-01`,
  ];
  for (const traceparent of invalid) {
    assert.equal(fromWire(traceparent), undefined, traceparent);
  }
});

Deno.test("a tracestate longer than W3C allows is left out, the span kept", () => {
  const read = fromWire(VALID, `a=${"x".repeat(9000)}`);
  assert.equal(read?.spanId, SPAN_ID);
  assert.equal(read?.traceState, undefined);
});

Deno.test("a span written to the wire reads back the same, and an invalid one is not written", () => {
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  assert.deepEqual(toWire(trace.setSpan(ROOT_CONTEXT, span)), { traceparent: VALID });
  const zero = trace.wrapSpanContext({ traceId: "0".repeat(32), spanId: SPAN_ID, traceFlags: 1 });
  assert.equal(toWire(trace.setSpan(ROOT_CONTEXT, zero)), undefined);
  const upper = trace.wrapSpanContext({
    traceId: TRACE_ID.toUpperCase(),
    spanId: SPAN_ID,
    traceFlags: 1,
  });
  assert.equal(toWire(trace.setSpan(ROOT_CONTEXT, upper)), undefined);
  assert.equal(toWire(ROOT_CONTEXT), undefined);
});

Deno.test("a turn's context holds its span and keeps every value of its parent", () => {
  const key = createContextKey("test key");
  const parent = ROOT_CONTEXT.setValue(key, "kept");
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  const ctx = withSpan(parent, span);
  assert.equal(trace.getSpan(ctx), span);
  assert.equal(ctx.getValue(key), "kept");
  const other = createContextKey("other key");
  const written = ctx.setValue(other, 2);
  assert.equal(trace.getSpan(written), span, "a write keeps the span");
  assert.equal(written.getValue(key), "kept");
  assert.equal(written.getValue(other), 2);
  assert.equal(ctx.getValue(other), undefined, "the turn's context itself is unchanged");
  assert.equal(trace.getSpan(ctx.deleteValue(key)), span);
  assert.equal(ctx.deleteValue(key).getValue(key), undefined);
});
