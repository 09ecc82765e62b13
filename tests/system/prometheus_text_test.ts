/**
 * The Prometheus text of several hosts (system/prometheus_text.ts): what
 * the agent serves for itself and its worker hosts.
 */

import assert from "node:assert/strict";
import type { HostMetricsSnapshot } from "../../system/metrics.ts";
import { prometheusText } from "../../system/prometheus_text.ts";

function snapshot(hostId: string, handled: number): HostMetricsSnapshot {
  return {
    hostId,
    atMs: 0,
    handled,
    messagesPerSecond: 0,
    mailboxDepth: 0,
    loopLagMs: 0,
    deadLetters: { "actor-stopped": 1 },
    types: { counter: { actors: 1, handled, mailboxDepth: 0, restarts: 0 } },
    transport: undefined,
  };
}

Deno.test("several hosts share each family, their series told apart by host and extra labels", () => {
  const text = prometheusText([
    { snapshot: snapshot("box", 5) },
    { snapshot: snapshot("box-w1", 7), labels: { agent: "box" } },
    snapshot("other", 9),
  ]);
  const types = text.split("\n").filter((line) => line.startsWith("# TYPE "));
  assert.equal(types.length, new Set(types).size, "each family is declared once");
  assert.match(text, /^actorcluster_messages_handled_total\{host="box",type="counter"\} 5$/m);
  assert.match(
    text,
    /^actorcluster_messages_handled_total\{host="box-w1",agent="box",type="counter"\} 7$/m,
  );
  assert.match(text, /^actorcluster_host_messages_handled_total\{host="other"\} 9$/m);
  // Every series of a family follows its declaration, before the next family's.
  const lines = text.trim().split("\n");
  const family = (name: string) => lines.findIndex((l) => l === `# TYPE ${name} counter`);
  const handled = family("actorcluster_host_messages_handled_total");
  const samples = lines.flatMap((l, i) =>
    l.startsWith("actorcluster_host_messages_handled_total{") ? [i] : []
  );
  assert.deepEqual(samples, [handled + 1, handled + 2, handled + 3]);
});

Deno.test("an extra label value is escaped, and a bad label name is refused", () => {
  const text = prometheusText([
    { snapshot: snapshot("w", 1), labels: { agent: 'a"b\\c\nd' } },
  ]);
  assert.match(text, /agent="a\\"b\\\\c\\nd"/);
  assert.throws(
    () => prometheusText([{ snapshot: snapshot("w", 1), labels: { "bad-name": "x" } }]),
    RangeError,
  );
  assert.throws(
    () => prometheusText([{ snapshot: snapshot("w", 1), labels: { host: "x" } }]),
    RangeError,
  );
});
