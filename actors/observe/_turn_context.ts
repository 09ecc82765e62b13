/**
 * A context that is its parent plus one span, made without copying the
 * parent's entries. `@opentelemetry/api`'s own `trace.setSpan` copies the
 * whole context into a new `Map` each time, and a traced remote message
 * needed two of them (the sender's span, then the turn's own).
 *
 * Only reads are served from here; the rare write (a handler that sets a
 * value of its own) makes a regular context first, so the result is the
 * same as with `trace.setSpan`.
 *
 * @module
 */

import {
  type Context,
  createContextKey,
  ROOT_CONTEXT,
  type Span,
  trace,
} from "npm:@opentelemetry/api@1.9.0";

/** The key `@opentelemetry/api` keeps the active span under (a `Symbol.for`, shared by its copies). */
const SPAN_KEY = createContextKey("OpenTelemetry Context Key SPAN");

class SpanContextOverlay implements Context {
  readonly #parent: Context;
  readonly #span: Span;

  constructor(parent: Context, span: Span) {
    this.#parent = parent;
    this.#span = span;
  }

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.#span : this.#parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return trace.setSpan(this.#parent, this.#span).setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return trace.setSpan(this.#parent, this.#span).deleteValue(key);
  }
}

/**
 * Whether the API reads spans under the key assumed here: checked once, so
 * that another version of the API falls back on `trace.setSpan`.
 */
const OVERLAY_WORKS = (() => {
  const probe = trace.wrapSpanContext({
    traceId: "1".repeat(32),
    spanId: "1".repeat(16),
    traceFlags: 0,
  });
  return trace.getSpan(new SpanContextOverlay(ROOT_CONTEXT, probe)) === probe;
})();

/** `parent` with `span` as its active span: what `trace.setSpan(parent, span)` returns. */
export function withSpan(parent: Context, span: Span): Context {
  return OVERLAY_WORKS ? new SpanContextOverlay(parent, span) : trace.setSpan(parent, span);
}
