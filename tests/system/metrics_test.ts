/**
 * `system.metrics()` on one host, and its Prometheus text (the agent's
 * endpoint is tested with a real agent in tests/cli/agent_metrics_test.ts).
 */

import assert from "node:assert/strict";
import { ActorSystem, type Ask, defineActor, type Tell } from "../../mod.ts";
import { prometheusText } from "../../system/metrics.ts";

const Counter = defineActor<{ add: Tell<number>; get: Ask<void, number> }, number>({
  type: "metered",
  init: () => 0,
  tells: { add: (n, by) => n + by },
  asks: { get: (n) => ({ state: n, reply: n }) },
});

Deno.test("metrics count turns, mailboxes, restarts and dead letters per actor type", async () => {
  const system = await ActorSystem.start({
    hostId: "m1",
    metrics: true,
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
  });
  try {
    const counter = system.spawn(Counter);
    for (let i = 0; i < 3; i++) counter.tell("add", 1);
    assert.equal(await counter.ask("get"), 3);
    const gone = system.spawn(Counter);
    await system.stop(gone);
    gone.tell("add", 1);
    const snapshot = system.metrics();
    assert.equal(snapshot.hostId, "m1");
    const metered = snapshot.types["metered"];
    assert.equal(metered.actors, 1);
    assert.equal(metered.handled, 4);
    assert.equal(metered.mailboxDepth, 0);
    assert.equal(metered.restarts, 0);
    assert.equal(metered.turns?.count, 4);
    assert.equal(metered.turns?.counts.reduce((a, b) => a + b, 0), 4);
    assert.equal(snapshot.deadLetters["actor-stopped"], 1);
    assert.equal(snapshot.transport, undefined, "no cluster");

    const text = prometheusText(snapshot);
    assert.match(text, /^# HELP actorcluster_host_messages_handled_total /m);
    assert.match(text, /^actorcluster_messages_handled_total\{host="m1",type="metered"\} 4$/m);
    assert.match(text, /^actorcluster_dead_letters_total\{host="m1",reason="actor-stopped"\} 1$/m);
    assert.match(text, /^actorcluster_handler_seconds_count\{host="m1",type="metered"\} 4$/m);
    assert.match(
      text,
      /^actorcluster_handler_seconds_bucket\{host="m1",type="metered",le="\+Inf"\} 4$/m,
    );
  } finally {
    await system.shutdown();
  }
});

Deno.test("without the metrics option handler turns are not timed", async () => {
  const system = await ActorSystem.start({ hostId: "m2" });
  try {
    const counter = system.spawn(Counter);
    assert.equal(await counter.ask("get"), 0);
    const metered = system.metrics().types["metered"];
    assert.equal(metered.handled, 1);
    assert.equal(metered.turns, undefined);
  } finally {
    await system.shutdown();
  }
});
