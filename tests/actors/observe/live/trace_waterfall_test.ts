/**
 * A trace as a waterfall in a notebook: spans exported over OTLP/HTTP
 * (JSON) to a collector, drawn each under its parent on one time axis.
 */

import assert from "node:assert/strict";
import { SpanCollector, traceWaterfall } from "../../../../notebook.ts";

const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);
const at = 1_700_000_000_000;

/** An OTLP/JSON export body as Deno's exporter writes it (the fields read here). */
function exportOf(
  service: string,
  spans: { id: string; parent?: string; name: string; from: number; to: number; host?: string }[],
) {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
      scopeSpans: [{
        spans: spans.map((s) => ({
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
          spanId: s.id,
          parentSpanId: s.parent ?? "",
          name: s.name,
          startTimeUnixNano: nanos(at + s.from),
          endTimeUnixNano: nanos(at + s.to),
          attributes: s.host === undefined
            ? []
            : [{ key: "actor.host", value: { stringValue: s.host } }],
        })),
      }],
    }],
  };
}

Deno.test("spans exported by several hosts are drawn as one waterfall, each under its parent", async () => {
  const collector = SpanCollector.start();
  try {
    const post = async (body: unknown) => {
      const response = await fetch(`${collector.endpoint}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200);
      await response.body?.cancel();
    };
    // Host b's spans arrive before host a's: the order of arrival does not matter.
    await post(exportOf("host-b", [
      {
        id: "00000000000000b2",
        parent: "00000000000000a1",
        name: "trace-echo echo",
        from: 6,
        to: 8,
        host: "b",
      },
      {
        id: "00000000000000b1",
        parent: "00000000000000a1",
        name: "trace-echo note",
        from: 3,
        to: 4,
        host: "b",
      },
    ]));
    await post(exportOf("host-a", [
      {
        id: "00000000000000a1",
        parent: "00000000000000d0",
        name: "trace-relay forward",
        from: 1,
        to: 9,
        host: "a",
      },
    ]));
    await post(
      exportOf("driver", [{ id: "00000000000000d0", name: "driver request", from: 0, to: 10 }]),
    );

    const spans = collector.trace("4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(spans.length, 4);
    const view = traceWaterfall(spans);
    assert.equal(
      String(view),
      [
        "driver request [driver] +0 µs 10.00 ms",
        "  trace-relay forward [a] +1.00 ms 8.00 ms",
        "    trace-echo note [b] +3.00 ms 1.00 ms",
        "    trace-echo echo [b] +6.00 ms 2.00 ms",
      ].join("\n"),
    );
    const html =
      view[Symbol.for("Jupyter.display") as never as keyof typeof view] as unknown as () => {
        "text/html": string;
      };
    const rows = html.call(view)["text/html"].match(/<tr>/g) ?? [];
    assert.equal(rows.length, 4);
  } finally {
    await collector.close();
  }
});
