/**
 * Traces of handler turns, through the standard `@opentelemetry/api`: each
 * turn is a span (actor, type, message, host, mailbox wait, outcome) nested
 * under the span it was sent from, on this host or another (the envelope
 * carries a W3C `traceparent`, `docs/PROTOCOL.md`). It works with Deno's
 * built-in OpenTelemetry (`OTEL_DENO=true`) and with any SDK that registers
 * a tracer provider and a context manager.
 *
 * When tracing is off the runtime holds no {@linkcode TurnTracer}: a cell
 * checks for one once per send and once per run of its mailbox, and nothing
 * is allocated. When it is on, each queued message carries the context it
 * was sent in ({@linkcode Traced}) until its turn.
 *
 * @module
 */

import {
  type Context,
  context,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "npm:@opentelemetry/api@1.9.0";
import { describeError } from "../../base/errors.ts";
import { fromWire, toWire, type WireTrace } from "./_traceparent.ts";
import type { TurnTimes } from "./turn_times.ts";

export type { WireTrace } from "./_traceparent.ts";

/** The instrumentation scope of the spans. */
const SCOPE = "actorcluster";

/** What a turn's span says of its actor. */
export interface TracedActor {
  /** The actor's id. */
  readonly id: string;
  /** Its spawn name, if any. */
  readonly name: string | undefined;
  /** Restarts so far. */
  readonly incarnation: number;
  /** Its definition's type. */
  readonly def: { readonly type: string };
}

/** A queued message's payload with the context it was sent in (only while tracing). */
export class Traced {
  /**
   * @param payload The message's own payload.
   * @param parent The context it was sent in: its span is the turn's parent.
   * @param queuedAtMs When it was queued (`performance.now()`), for the mailbox wait.
   */
  constructor(
    readonly payload: unknown,
    readonly parent: Context,
    readonly queuedAtMs: number,
  ) {}
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

/**
 * Observes one host's handler turns: starts and ends their spans (when
 * tracing), and records their times (when given {@linkcode TurnTimes}).
 */
export class TurnTracer {
  readonly #hostId: string;
  readonly #tracer: Tracer;
  readonly #spans: boolean;
  readonly #times: TurnTimes | undefined;
  /** The span of the turn each failed actor failed in, for the event of its restart. */
  readonly #failedIn = new WeakMap<TracedActor, SpanContext>();
  /** The context a message from another host is being queued in (see `incoming`). */
  #incoming: Context | undefined = undefined;

  /**
   * @param hostId The host whose turns it observes.
   * @param spans Whether turns are spans (tracing on), or only timed.
   * @param times Where turn times go (metrics on).
   */
  constructor(hostId: string, spans = true, times?: TurnTimes) {
    this.#hostId = hostId;
    this.#tracer = trace.getTracer(SCOPE);
    this.#spans = spans;
    this.#times = times;
  }

  /** Wraps a payload being queued with the context it is sent in. */
  wrap(payload: unknown): Traced {
    return new Traced(payload, this.#incoming ?? context.active(), performance.now());
  }

  /** The trace fields of an envelope sent now, or `undefined` outside any span. */
  outgoing(): WireTrace | undefined {
    return this.#spans ? toWire(context.active()) : undefined;
  }

  /**
   * Runs `deliver` (which queues a message from another host) with the
   * context its envelope carried, so that its turn nests under the sender's
   * span. The context is handed to {@linkcode TurnTracer.wrap} directly
   * rather than made active with `context.with`: queueing is all `deliver`
   * does with it, and entering a context costs every traced message more
   * than the rest of its propagation.
   */
  incoming<T>(
    traceparent: string | undefined,
    tracestate: string | undefined,
    deliver: () => T,
  ): T {
    if (traceparent === undefined || !this.#spans) return deliver();
    const remote = fromWire(traceparent, tracestate);
    if (remote === undefined) return deliver();
    const outer = this.#incoming;
    this.#incoming = trace.setSpanContext(ROOT_CONTEXT, remote);
    try {
      return deliver();
    } finally {
      this.#incoming = outer;
    }
  }

  /**
   * Runs one handler turn as a span. A promise's span ends when it settles.
   *
   * @param queued What the mailbox held: a {@linkcode Traced} for a user
   *   message (a runtime message is run without a span).
   * @param run Runs the handler.
   * @throws What the handler throws, after recording it on the span.
   */
  turn(
    actor: TracedActor,
    messageName: string,
    kind: "tell" | "ask" | "raw",
    queued: unknown,
    run: () => unknown,
  ): unknown {
    if (!(queued instanceof Traced)) return run();
    const startMs = performance.now();
    if (!this.#spans) return this.#timed(actor, startMs, run);
    const span = this.#tracer.startSpan(`${actor.def.type} ${messageName}`, {
      kind: kind === "ask" ? SpanKind.SERVER : SpanKind.CONSUMER,
      attributes: {
        "actor.id": actor.id,
        "actor.type": actor.def.type,
        ...(actor.name === undefined ? {} : { "actor.name": actor.name }),
        "actor.incarnation": actor.incarnation,
        "actor.host": this.#hostId,
        "message.name": messageName,
        "message.kind": kind,
        "mailbox.wait_ms": Math.max(0, startMs - queued.queuedAtMs),
      },
    }, queued.parent);
    let result: unknown;
    try {
      result = context.with(trace.setSpan(queued.parent, span), run);
    } catch (err) {
      this.#end(actor, span, startMs, err, true);
      throw err;
    }
    if (result instanceof Promise) {
      result.then(
        () => this.#end(actor, span, startMs, undefined, false),
        (err) => this.#end(actor, span, startMs, err, true),
      );
    } else this.#end(actor, span, startMs, undefined, false);
    return result;
  }

  /**
   * The actor's supervisor restarted it: an `actor.restart` event, on a
   * span under the turn it failed in (when it failed in a traced turn).
   */
  restarted(actor: TracedActor): void {
    if (!this.#spans) return;
    const failed = this.#failedIn.get(actor);
    this.#failedIn.delete(actor);
    const parent = failed === undefined
      ? context.active()
      : trace.setSpanContext(ROOT_CONTEXT, failed);
    const span = this.#tracer.startSpan(`${actor.def.type} restart`, {
      attributes: {
        "actor.id": actor.id,
        "actor.type": actor.def.type,
        "actor.host": this.#hostId,
      },
    }, parent);
    span.addEvent("actor.restart", {
      "actor.id": actor.id,
      "actor.incarnation": actor.incarnation,
    });
    span.end();
  }

  /** A turn only timed, not a span. */
  #timed(actor: TracedActor, startMs: number, run: () => unknown): unknown {
    const times = this.#times!;
    const type = actor.def.type;
    let result: unknown;
    try {
      result = run();
    } catch (err) {
      times.record(type, performance.now() - startMs);
      throw err;
    }
    if (result instanceof Promise) {
      const end = () => times.record(type, performance.now() - startMs);
      result.then(end, end);
    } else times.record(type, performance.now() - startMs);
    return result;
  }

  #end(actor: TracedActor, span: Span, startMs: number, err: unknown, failed: boolean): void {
    this.#times?.record(actor.def.type, performance.now() - startMs);
    span.setAttribute("actor.outcome", failed ? "failed" : "ok");
    if (failed) {
      const info = describeError(err);
      span.recordException({ name: info.name, message: info.message, stack: info.stack });
      span.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
      this.#failedIn.set(actor, span.spanContext());
    }
    span.end();
  }
}
