/**
 * The span of one handler turn, started only when something needs it
 * during the turn. Starting and ending a span calls into the tracer
 * provider (with Deno's built-in OpenTelemetry, about 35 µs a span on our
 * 2-core machines, measured inside a traced remote ask), and a turn's reply
 * goes out only after the turn: a leaf turn (it sends nothing, reads no
 * span) would pay that before its answer. So the turn runs with this stand-in
 * as its active span: the first call that needs the real span (its context,
 * for a message the turn sends or a child span; an attribute, an event)
 * starts it, with the turn's start time; otherwise it is started and ended
 * after the turn, in a batch, with the turn's own start and end times
 * (`_span_ends.ts`). Either way the exporter receives the same span.
 *
 * @module
 */

import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  Link,
  Span,
  SpanContext,
  SpanKind,
  SpanStatus,
  TimeInput,
  Tracer,
} from "npm:@opentelemetry/api@1.9.0";

/** A turn's span, started when first needed (see the module's docs). */
export class TurnSpan implements Span {
  #real: Span | undefined;
  readonly #tracer: Tracer;
  readonly #name: string;
  readonly #kind: SpanKind;
  readonly #attributes: Attributes;
  readonly #startMs: number;
  readonly #parent: Context;

  /**
   * @param tracer The tracer that starts it.
   * @param name The span's name.
   * @param kind Its kind.
   * @param attributes Its attributes as it starts.
   * @param startMs When the turn started, in milliseconds since the epoch.
   * @param parent The context whose span is its parent.
   */
  constructor(
    tracer: Tracer,
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    startMs: number,
    parent: Context,
  ) {
    this.#tracer = tracer;
    this.#name = name;
    this.#kind = kind;
    this.#attributes = attributes;
    this.#startMs = startMs;
    this.#parent = parent;
  }

  /** The span itself: started now, at the turn's start time, unless it was already. */
  real(): Span {
    return this.#real ??= this.#tracer.startSpan(
      this.#name,
      { kind: this.#kind, attributes: this.#attributes, startTime: this.#startMs },
      this.#parent,
    );
  }

  spanContext(): SpanContext {
    return this.real().spanContext();
  }

  setAttribute(key: string, value: AttributeValue): this {
    this.real().setAttribute(key, value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    this.real().setAttributes(attributes);
    return this;
  }

  addEvent(
    name: string,
    attributesOrStartTime?: Attributes | TimeInput,
    startTime?: TimeInput,
  ): this {
    this.real().addEvent(name, attributesOrStartTime, startTime);
    return this;
  }

  addLink(link: Link): this {
    this.real().addLink(link);
    return this;
  }

  addLinks(links: Link[]): this {
    this.real().addLinks(links);
    return this;
  }

  setStatus(status: SpanStatus): this {
    this.real().setStatus(status);
    return this;
  }

  updateName(name: string): this {
    this.real().updateName(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    this.real().end(endTime);
  }

  isRecording(): boolean {
    return this.real().isRecording();
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.real().recordException(exception, time);
  }
}
