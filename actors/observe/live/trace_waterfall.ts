/**
 * One trace as a waterfall in a notebook: each span a bar on a shared time
 * axis, under its parent, with its host and duration. The spans come from
 * an OTLP/HTTP receiver the kernel runs ({@linkcode SpanCollector}): hosts
 * started with `OTEL_DENO=true OTEL_EXPORTER_OTLP_PROTOCOL=http/json
 * OTEL_EXPORTER_OTLP_ENDPOINT=<its endpoint>` export their turns there.
 *
 * @module
 */

import { type DisplayBundle, escapeHtml, JUPYTER_DISPLAY } from "../display.ts";

/** One span of a waterfall. */
export interface WaterfallSpan {
  /** The span's name (`<type> <message>` for a handler turn). */
  readonly name: string;
  /** Its id (16 hex digits). */
  readonly spanId: string;
  /** Its trace's id (32 hex digits). */
  readonly traceId: string;
  /** Its parent's id, or `""` for a root. */
  readonly parentSpanId: string;
  /** When it started, in milliseconds since the epoch. */
  readonly startMs: number;
  /** When it ended, in milliseconds since the epoch. */
  readonly endMs: number;
  /** The host that made it (`actor.host`, else the exporter's `service.name`). */
  readonly host: string;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };
const valueOf = (v: AnyValue | undefined) =>
  v?.stringValue ?? (v?.intValue !== undefined ? String(v.intValue) : undefined);
const find = (list: KeyValue[] | undefined, key: string) =>
  valueOf(list?.find((kv) => kv.key === key)?.value);

/** The spans of one OTLP/JSON trace export (`/v1/traces` body); unknown shapes give none. */
export function spansFromOtlp(body: unknown): WaterfallSpan[] {
  const out: WaterfallSpan[] = [];
  // deno-lint-ignore no-explicit-any
  for (const resource of (body as any)?.resourceSpans ?? []) {
    const service = find(resource.resource?.attributes, "service.name") ?? "";
    for (const scope of resource.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        if (typeof span?.spanId !== "string" || typeof span.traceId !== "string") continue;
        out.push({
          name: String(span.name ?? ""),
          spanId: span.spanId,
          traceId: span.traceId,
          parentSpanId: typeof span.parentSpanId === "string" ? span.parentSpanId : "",
          startMs: Number(BigInt(span.startTimeUnixNano ?? 0) / 1000n) / 1000,
          endMs: Number(BigInt(span.endTimeUnixNano ?? 0) / 1000n) / 1000,
          host: find(span.attributes, "actor.host") ?? service,
        });
      }
    }
  }
  return out;
}

/** The spans in waterfall order (each under its parent, siblings by start) with their depth. */
export function waterfallRows(
  spans: readonly WaterfallSpan[],
): { span: WaterfallSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, WaterfallSpan[]>();
  for (const span of spans) {
    // A span whose parent is not here (another trace's, or not exported yet) is drawn as a root.
    const parent = ids.has(span.parentSpanId) ? span.parentSpanId : "";
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const rows: { span: WaterfallSpan; depth: number }[] = [];
  const visit = (parent: string, depth: number) => {
    for (const span of [...(children.get(parent) ?? [])].sort((a, b) => a.startMs - b.startMs)) {
      rows.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit("", 0);
  return rows;
}

/**
 * A waterfall of spans (usually one trace's) that a notebook cell displays.
 *
 * @example
 * ```ts
 * import { traceWaterfall } from "./trace_waterfall.ts";
 * const at = 1_700_000_000_000;
 * const view = traceWaterfall([
 *   { name: "ask", spanId: "a1", traceId: "t", parentSpanId: "", startMs: at, endMs: at + 2, host: "driver" },
 *   { name: "relay forward", spanId: "b1", traceId: "t", parentSpanId: "a1", startMs: at + 0.5, endMs: at + 1.5, host: "a" },
 * ]);
 * console.log(String(view));
 * ```
 */
export function traceWaterfall(spans: readonly WaterfallSpan[]): {
  [JUPYTER_DISPLAY](): DisplayBundle;
  toString(): string;
} {
  const rows = waterfallRows(spans);
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.endMs));
  const totalMs = Math.max(end - start, 1e-3);
  const ms = (v: number) => v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`;
  const text = () =>
    rows.map(({ span, depth }) =>
      `${"  ".repeat(depth)}${span.name} [${span.host}] +${ms(span.startMs - start)} ${
        ms(span.endMs - span.startMs)
      }`
    ).join("\n");
  const html = () => {
    const width = 480;
    const lines = rows.map(({ span, depth }) => {
      const left = (span.startMs - start) / totalMs * width;
      const barWidth = Math.max(2, (span.endMs - span.startMs) / totalMs * width);
      return `<tr><td style="padding:1px 8px 1px ${4 + depth * 14}px;white-space:nowrap">${
        escapeHtml(span.name)
      }</td><td style="padding:1px 8px;color:#666">${escapeHtml(span.host)}</td>` +
        `<td style="padding:1px 8px"><div style="position:relative;width:${width}px;height:12px">` +
        `<div style="position:absolute;left:${left.toFixed(1)}px;width:${
          barWidth.toFixed(1)
        }px;height:12px;background:#1971c2;border-radius:2px"></div></div></td>` +
        `<td style="padding:1px 8px;text-align:right">${ms(span.endMs - span.startMs)}</td></tr>`;
    });
    return `<table style="font-family:ui-monospace,monospace;font-size:12px;border-collapse:collapse">${
      lines.join("")
    }</table>`;
  };
  return {
    [JUPYTER_DISPLAY]: () => ({ "text/plain": text(), "text/html": html() }),
    toString: text,
  };
}

/**
 * An OTLP/HTTP receiver (JSON encoding) on loopback that keeps the spans
 * exported to it, for {@linkcode traceWaterfall}.
 */
export class SpanCollector {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #spans: WaterfallSpan[] = [];

  private constructor(port: number) {
    this.#server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      const body = await req.text();
      if (new URL(req.url).pathname === "/v1/traces") {
        try {
          this.#spans.push(...spansFromOtlp(JSON.parse(body)));
        } catch {
          return new Response("{}", { status: 400 });
        }
      }
      return new Response("{}", { headers: { "content-type": "application/json" } });
    });
  }

  /**
   * Starts a collector.
   *
   * @param port Its port on 127.0.0.1 (0: any free one).
   */
  static start(port = 0): SpanCollector {
    return new SpanCollector(port);
  }

  /** The URL for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Every span received so far. */
  get spans(): readonly WaterfallSpan[] {
    return this.#spans;
  }

  /** The spans of one trace received so far. */
  trace(traceId: string): WaterfallSpan[] {
    return this.#spans.filter((s) => s.traceId === traceId);
  }

  /** Stops receiving. */
  close(): Promise<void> {
    return this.#server.shutdown();
  }
}
