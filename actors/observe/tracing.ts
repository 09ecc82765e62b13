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
 * was sent in ({@linkcode Traced}) until its turn, and a turn's span is
 * started only when the turn needs it, else after the turn
 * (`_turn_span.ts`, `_span_ends.ts`).
 *
 * @module
 */

import {
  type Attributes,
  context,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "npm:@opentelemetry/api@1.9.0";
import { describeError } from "../../base/errors.ts";
import { toWire, type WireTrace } from "./_traceparent.ts";
import { withSpan } from "./_turn_context.ts";
import { TurnSpan } from "./_turn_span.ts";
import { endSpanSoon } from "./_span_ends.ts";
import { Traced } from "./traced_message.ts";
import type { TurnTimes } from "./turn_times.ts";

export type { WireTrace } from "./_traceparent.ts";
export { Traced, tracerRegistered, untraced } from "./traced_message.ts";

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

/** A handler as the cell calls it; the tracer passes its arguments through without a closure. */
export type TurnHandler<C, A> = (
  state: unknown,
  payload: unknown,
  ctx: C,
  ask: A,
  name: string,
) => unknown;

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
  /** The envelope fields of the message from another host being queued (see `incoming`). */
  #incomingParent: string | undefined = undefined;
  #incomingState: string | undefined = undefined;
  /** Span names by actor type and message name, made once rather than per turn. */
  readonly #spanNames = new Map<string, Map<string, string>>();

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
    const traceparent = this.#incomingParent;
    return traceparent === undefined
      ? new Traced(payload, context.active(), undefined, undefined, performance.now())
      : new Traced(payload, undefined, traceparent, this.#incomingState, performance.now());
  }

  /** The trace fields of an envelope sent now, or `undefined` outside any span. */
  outgoing(): WireTrace | undefined {
    return this.#spans ? toWire(context.active()) : undefined;
  }

  /**
   * Starts queueing a message from another host whose envelope carried
   * these fields, so that its turn nests under the sender's span; end with
   * {@linkcode TurnTracer.incomingDone}. The fields are kept as they are
   * and parsed when the turn runs; no context is entered (`context.with`
   * and a closure per message cost more than the rest of the propagation).
   * Queueing does not reenter it, so it does not nest.
   */
  incoming(traceparent: string | undefined, tracestate: string | undefined): void {
    if (!this.#spans) return;
    this.#incomingParent = traceparent;
    this.#incomingState = traceparent === undefined ? undefined : tracestate;
  }

  /** The message from another host is queued (see {@linkcode TurnTracer.incoming}). */
  incomingDone(): void {
    this.#incomingParent = undefined;
    this.#incomingState = undefined;
  }

  /**
   * Runs one handler turn as a span. A promise's span ends when it settles.
   *
   * @param queued What the mailbox held: a {@linkcode Traced} for a user
   *   message (a runtime message is run without a span).
   * @param handler The handler, called with `state`, `payload`, `ctx`,
   *   `ask` and the message name (passed through, so no closure is made per turn).
   * @throws What the handler throws, after recording it on the span.
   */
  turn<C, A>(
    actor: TracedActor,
    messageName: string,
    kind: "tell" | "ask" | "raw",
    queued: unknown,
    handler: TurnHandler<C, A>,
    state: unknown,
    payload: unknown,
    ctx: C,
    ask: A,
  ): unknown {
    if (!(queued instanceof Traced)) return handler(state, payload, ctx, ask, messageName);
    const startMs = performance.now();
    if (!this.#spans) {
      return this.#timed(actor, startMs, handler, state, payload, ctx, ask, messageName);
    }
    const parent = queued.parentContext();
    const attributes: Attributes = {
      "actor.id": actor.id,
      "actor.type": actor.def.type,
      "actor.incarnation": actor.incarnation,
      "actor.host": this.#hostId,
      "message.name": messageName,
      "message.kind": kind,
      "mailbox.wait_ms": Math.max(0, startMs - queued.queuedAtMs),
      // Set now: a turn that needs no span of its own then needs no call at its end either;
      // a failure overwrites it.
      "actor.outcome": "ok",
    };
    if (actor.name !== undefined) attributes["actor.name"] = actor.name;
    // Started only if the turn needs it, else after the turn (_turn_span.ts).
    const span = new TurnSpan(
      this.#tracer,
      this.#spanName(actor.def.type, messageName),
      kind === "ask" ? SpanKind.SERVER : SpanKind.CONSUMER,
      attributes,
      performance.timeOrigin + startMs,
      parent,
    );
    let result: unknown;
    try {
      result = context.with(
        withSpan(parent, span),
        handler,
        undefined,
        state,
        payload,
        ctx,
        ask,
        messageName,
      );
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

  /** `"<type> <message>"`, made once per pair. */
  #spanName(type: string, messageName: string): string {
    let names = this.#spanNames.get(type);
    if (names === undefined) this.#spanNames.set(type, names = new Map());
    let name = names.get(messageName);
    if (name === undefined) names.set(messageName, name = `${type} ${messageName}`);
    return name;
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
    // Behind the span of the turn it failed in, which waits to end too.
    endSpanSoon(span);
  }

  /** A turn only timed, not a span. */
  #timed<C, A>(
    actor: TracedActor,
    startMs: number,
    handler: TurnHandler<C, A>,
    state: unknown,
    payload: unknown,
    ctx: C,
    ask: A,
    messageName: string,
  ): unknown {
    const times = this.#times!;
    const type = actor.def.type;
    let result: unknown;
    try {
      result = handler(state, payload, ctx, ask, messageName);
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

  #end(actor: TracedActor, span: TurnSpan, startMs: number, err: unknown, failed: boolean): void {
    this.#times?.record(actor.def.type, performance.now() - startMs);
    if (failed) {
      span.setAttribute("actor.outcome", "failed");
      const info = describeError(err);
      span.recordException({ name: info.name, message: info.message, stack: info.stack });
      span.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
      this.#failedIn.set(actor, span.spanContext());
    }
    // After the turn: its reply goes out first (_span_ends.ts), then the span is started if it
    // was not yet, and ended, at this time.
    endSpanSoon(span);
  }
}
