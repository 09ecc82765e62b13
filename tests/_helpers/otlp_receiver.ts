/**
 * A small OTLP/HTTP receiver for tests: it takes the JSON encoding
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) on loopback, keeps the spans
 * of `/v1/traces` and the metrics of `/v1/metrics`, and answers every export
 * with success.
 *
 * @module
 */

/** One span as the test reads it: ids in hex, attributes as plain values. */
export interface ReceivedSpan {
  readonly service: string;
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly { readonly name: string }[];
  readonly status: { readonly code?: number; readonly message?: string };
}

/** A running receiver. */
export interface OtlpReceiver {
  /** Its base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly endpoint: string;
  /** The spans received so far. */
  readonly spans: ReceivedSpan[];
  /** The bodies of metric exports received so far. */
  readonly metrics: unknown[];
  /** The environment that makes a Deno process export here. */
  readonly env: Record<string, string>;
  /** Stops it. */
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
};
type KeyValue = { key: string; value: AnyValue };

const plain = (v: AnyValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
    v.doubleValue ?? v.boolValue;

const attributesOf = (list: KeyValue[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, plain(value)]));

/** The names of the metrics received so far, with the attributes of each data point. */
export function receivedMetrics(
  receiver: OtlpReceiver,
): { name: string; attributes: Record<string, unknown>; value: number }[] {
  const out: { name: string; attributes: Record<string, unknown>; value: number }[] = [];
  // deno-lint-ignore no-explicit-any
  for (const body of receiver.metrics as any[]) {
    for (const resource of body.resourceMetrics ?? []) {
      for (const scope of resource.scopeMetrics ?? []) {
        for (const metric of scope.metrics ?? []) {
          const points = metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? [];
          for (const point of points) {
            out.push({
              name: metric.name,
              attributes: attributesOf(point.attributes),
              value: Number(point.asInt ?? point.asDouble ?? NaN),
            });
          }
        }
      }
    }
  }
  return out;
}

/** Starts a receiver on a free loopback port. */
export function startOtlpReceiver(): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const metrics: unknown[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.text();
    const path = new URL(req.url).pathname;
    if (req.headers.get("content-type")?.includes("json")) {
      const parsed = JSON.parse(body);
      if (path === "/v1/traces") collectSpans(parsed, spans);
      if (path === "/v1/metrics") metrics.push(parsed);
    }
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  const endpoint = `http://127.0.0.1:${server.addr.port}`;
  return {
    endpoint,
    spans,
    metrics,
    env: {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_METRIC_EXPORT_INTERVAL: "500",
    },
    close: () => server.shutdown(),
  };
}

// deno-lint-ignore no-explicit-any
function collectSpans(body: any, into: ReceivedSpan[]): void {
  for (const resource of body.resourceSpans ?? []) {
    const service = String(attributesOf(resource.resource?.attributes)["service.name"] ?? "");
    for (const scope of resource.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        into.push({
          service,
          name: span.name,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? "",
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((e: { name: string }) => ({ name: e.name })),
          status: span.status ?? {},
        });
      }
    }
  }
}
