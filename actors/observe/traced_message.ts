/**
 * A queued message's trace context while tracing is on, and whether a
 * tracer provider is registered (the default of the system's `tracing`
 * option). The turns' spans are in `tracing.ts`.
 *
 * @module
 */

import {
  type Context,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
} from "npm:@opentelemetry/api@1.9.0";
import { fromWire } from "./_traceparent.ts";
import { withSpan } from "./_turn_context.ts";

/**
 * A queued message's payload with the context it was sent in (only while
 * tracing). A message from another host keeps its envelope's fields as
 * they came and they are read only when its turn runs: a message that never
 * runs (its ask gave up, its actor stopped) costs no parsing.
 */
export class Traced {
  /**
   * @param payload The message's own payload.
   * @param parent The context it was sent in on this host (its span is the
   *   turn's parent), or `undefined` for one from another host.
   * @param traceparent The envelope's `traceparent`, for one from another host.
   * @param tracestate The envelope's `tracestate`, beside a `traceparent`.
   * @param queuedAtMs When it was queued (`performance.now()`), for the mailbox wait.
   */
  constructor(
    readonly payload: unknown,
    readonly parent: Context | undefined,
    readonly traceparent: string | undefined,
    readonly tracestate: string | undefined,
    readonly queuedAtMs: number,
  ) {}

  /** The context whose span is the turn's parent. */
  parentContext(): Context {
    if (this.parent !== undefined) return this.parent;
    const remote = this.traceparent === undefined
      ? undefined
      : fromWire(this.traceparent, this.tracestate);
    return remote === undefined
      ? ROOT_CONTEXT
      : withSpan(ROOT_CONTEXT, trace.wrapSpanContext(remote));
  }
}

/** The payload itself, whether or not it was queued with its trace context. */
export function untraced(payload: unknown): unknown {
  return payload instanceof Traced ? payload.payload : payload;
}

/** The no-op provider the API falls back on when nothing registered one. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether a tracer provider is registered with `@opentelemetry/api` (Deno's
 * own with `OTEL_DENO=true`, or an SDK's): the default of the system's `tracing` option.
 */
export function tracerRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}
