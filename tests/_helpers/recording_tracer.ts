/**
 * A tracer provider and context manager for `@opentelemetry/api` that keep
 * finished spans in memory: the smallest SDK a test needs. The context
 * manager is synchronous (a stack), enough for synchronous handlers.
 *
 * @module
 */

import {
  type Attributes,
  type Context,
  context,
  type ContextManager,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  trace,
  type Tracer,
  type TracerProvider,
} from "npm:@opentelemetry/api@1.9.0";

/** A finished span. */
export interface RecordedSpan {
  readonly name: string;
  readonly spanId: string;
  readonly traceId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Attributes;
  readonly events: readonly { readonly name: string; readonly attributes?: Attributes }[];
  readonly status: SpanStatus | undefined;
  /** The start time it was given as a number (milliseconds since the epoch), if any. */
  readonly startTimeMs: number | undefined;
  /** The end time it was given as a number, if any. */
  readonly endTimeMs: number | undefined;
}

let nextId = 1;
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

class RecordingSpan implements Span {
  readonly #context: SpanContext;
  readonly #name: string;
  readonly #parent: string | undefined;
  readonly #attributes: Attributes;
  readonly #events: { name: string; attributes?: Attributes }[] = [];
  readonly #done: RecordedSpan[];
  readonly #failing: () => boolean;
  #status: SpanStatus | undefined = undefined;
  readonly #startTimeMs: number | undefined;

  constructor(
    name: string,
    options: SpanOptions,
    parent: SpanContext | undefined,
    done: RecordedSpan[],
    failing: () => boolean = () => false,
  ) {
    this.#failing = failing;
    this.#name = name;
    this.#parent = parent?.spanId;
    this.#attributes = { ...options.attributes };
    this.#startTimeMs = typeof options.startTime === "number" ? options.startTime : undefined;
    this.#done = done;
    this.#context = {
      traceId: parent?.traceId ?? hex(nextId++, 32),
      spanId: hex(nextId++, 16),
      traceFlags: 1,
    };
  }
  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(key: string, value: unknown): this {
    this.#attributes[key] = value as Attributes[string];
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.#attributes, attributes);
    return this;
  }
  addEvent(name: string, attributes?: Attributes): this {
    this.#events.push({ name, attributes });
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.#status = status;
    return this;
  }
  updateName(): this {
    return this;
  }
  end(endTime?: unknown): void {
    if (this.#failing()) throw new Error("this tracer provider fails to end spans");
    this.#done.push({
      startTimeMs: this.#startTimeMs,
      endTimeMs: typeof endTime === "number" ? endTime : undefined,
      name: this.#name,
      spanId: this.#context.spanId,
      traceId: this.#context.traceId,
      parentSpanId: this.#parent,
      attributes: this.#attributes,
      events: this.#events,
      status: this.#status,
    });
  }
  isRecording(): boolean {
    return true;
  }
  recordException(exception: unknown): void {
    this.addEvent("exception", { "exception.message": String((exception as Error)?.message) });
  }
}

class StackContextManager implements ContextManager {
  #active: Context = ROOT_CONTEXT;
  active(): Context {
    return this.#active;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const before = this.#active;
    this.#active = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#active = before;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

/** Registers a recording provider globally until `dispose`; `spans` fills as spans end. */
export function recordSpans(): {
  spans: RecordedSpan[];
  /** From now on, ending a span throws (a broken provider), or not. */
  failEnds(failing: boolean): void;
  [Symbol.dispose](): void;
} {
  const spans: RecordedSpan[] = [];
  let failing = false;
  const tracer: Tracer = {
    startSpan: (name, options = {}, ctx = context.active()) =>
      new RecordingSpan(name, options, trace.getSpanContext(ctx), spans, () => failing),
    startActiveSpan: (() => {
      throw new Error("not used by the runtime");
    }) as Tracer["startActiveSpan"],
  };
  const provider: TracerProvider = { getTracer: () => tracer };
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new StackContextManager());
  return {
    spans,
    failEnds(fail: boolean) {
      failing = fail;
    },
    [Symbol.dispose]() {
      trace.disable();
      context.disable();
    },
  };
}
