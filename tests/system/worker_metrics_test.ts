/**
 * The main thread's requests for a worker host's metrics
 * (system/worker_metrics.ts): an answer, or `undefined` when none comes.
 */

import assert from "node:assert/strict";
import type { HostMetricsSnapshot } from "../../system/metrics.ts";
import { MetricsRequests } from "../../system/worker_metrics.ts";

const SNAPSHOT = { hostId: "w1" } as HostMetricsSnapshot;

Deno.test("a request is answered with the snapshot the worker sends under its id", async () => {
  const requests = new MetricsRequests();
  const sent: number[] = [];
  const first = requests.request((id) => sent.push(id), 60_000);
  const second = requests.request((id) => sent.push(id), 60_000);
  assert.notEqual(sent[0], sent[1], "each request has its own id");
  requests.answered(sent[1], { ...SNAPSHOT, hostId: "second" });
  requests.answered(sent[0], SNAPSHOT);
  assert.equal((await first)?.hostId, "w1");
  assert.equal((await second)?.hostId, "second");
  requests.answered(sent[0], SNAPSHOT);
  requests.answered(999, SNAPSHOT);
});

Deno.test("a worker that does not answer, is gone, or cannot be sent to gives undefined", async () => {
  const requests = new MetricsRequests();
  assert.equal(await requests.request(() => {}, 1), undefined, "no answer in time");
  const waiting = requests.request(() => {}, 60_000);
  requests.abandon();
  assert.equal(await waiting, undefined, "the worker ended");
  assert.equal(
    await requests.request(() => {
      throw new Error("worker terminated");
    }, 60_000),
    undefined,
    "the request could not be posted",
  );
});
