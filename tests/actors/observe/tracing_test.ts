/**
 * Handler turns as OpenTelemetry spans on one host, with a recording
 * provider registered for `@opentelemetry/api` (the cross-host chain is in
 * tests/cluster/tracing_processes_test.ts).
 */

import assert from "node:assert/strict";
import {
  type ActorRef,
  ActorSystem,
  type Ask,
  childSpec,
  defineActor,
  defineSupervisor,
  type Tell,
} from "../../../mod.ts";
import { recordSpans } from "../../_helpers/recording_tracer.ts";
import { trace } from "npm:@opentelemetry/api@1.9.0";
import { waitFor } from "../../_helpers/system.ts";

type SinkProtocol = { put: Tell<string>; seen: Ask<void, string[]> };
const Sink = defineActor<SinkProtocol, string[]>({
  type: "sink",
  init: () => [],
  tells: { put: (seen, text) => [...seen, text] },
  asks: { seen: (seen) => ({ state: seen, reply: seen }) },
});

const Forwarder = defineActor<
  { pass: Tell<string> },
  ActorRef<SinkProtocol>,
  ActorRef<SinkProtocol>
>({
  type: "forwarder",
  init: (sink) => sink,
  tells: {
    pass: (sink, text) => {
      sink.tell("put", text);
      return sink;
    },
  },
});

const Fragile = defineActor<{ hit: Tell<string>; ping: Ask<void, string> }, null>({
  type: "fragile",
  init: () => null,
  tells: {
    hit: (state, how) => {
      if (how === "crash") throw new Error("hit too hard");
      return state;
    },
  },
  asks: { ping: (state) => ({ state, reply: "pong" }) },
});

const Keeper = defineSupervisor<void>({
  type: "keeper",
  strategy: { kind: "one_for_one", maxRestarts: 5, withinMs: 10_000 },
  children: () => [childSpec(Fragile, { id: "fragile", name: "fragile" })],
});

async function start(tracing?: boolean): Promise<ActorSystem> {
  return await ActorSystem.start({
    hostId: "solo",
    store: undefined,
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    ...(tracing === undefined ? {} : { tracing }),
  });
}

Deno.test("a turn is a span under the span of the turn that sent its message", async () => {
  using recorded = recordSpans();
  const system = await start();
  try {
    const sink = system.spawn(Sink);
    const forwarder = system.spawn(Forwarder, { args: sink });
    forwarder.tell("pass", "x");
    await waitFor(async () => (await sink.ask("seen"))[0] === "x", "the plain payload", 10_000);
    // A span ends shortly after its turn, in a batch (actors/observe/_span_ends.ts).
    await waitFor(
      () => recorded.spans.some((s) => s.name === "sink seen"),
      "the spans to end",
      10_000,
    );
    const pass = recorded.spans.find((s) => s.name === "forwarder pass");
    const put = recorded.spans.find((s) => s.name === "sink put");
    assert.ok(pass && put, `spans: ${recorded.spans.map((s) => s.name)}`);
    assert.equal(put.parentSpanId, pass.spanId);
    assert.equal(put.traceId, pass.traceId);
    assert.equal(pass.parentSpanId, undefined, "sent from outside any span: a new trace");
    assert.equal(put.attributes["actor.id"], sink.id);
    assert.equal(put.attributes["actor.type"], "sink");
    assert.equal(put.attributes["actor.host"], "solo");
    assert.equal(put.attributes["message.name"], "put");
    assert.equal(put.attributes["message.kind"], "tell");
    assert.equal(put.attributes["actor.outcome"], "ok");
    assert.equal(typeof put.attributes["mailbox.wait_ms"], "number");
    const seen = recorded.spans.find((s) => s.name === "sink seen");
    assert.equal(seen?.attributes["message.kind"], "ask");
  } finally {
    await system.shutdown();
  }
});

const Reader = defineActor<{ look: Ask<void, boolean> }, null>({
  type: "reader",
  init: () => null,
  asks: {
    look: (state) => {
      // User code that reads the turn's span and makes one of its own under it.
      const active = trace.getActiveSpan();
      active?.setAttribute("reader.looked", true);
      trace.getTracer("user").startSpan("inner").end();
      return { state, reply: active !== undefined };
    },
  },
});

Deno.test("a turn that needs no span still gets one, with the times the turn started and ended", async () => {
  using recorded = recordSpans();
  const system = await start();
  try {
    const sink = system.spawn(Sink);
    const before = performance.timeOrigin + performance.now();
    await sink.ask("seen");
    const after = performance.timeOrigin + performance.now();
    await waitFor(() => recorded.spans.some((s) => s.name === "sink seen"), "its span", 10_000);
    const span = recorded.spans.find((s) => s.name === "sink seen")!;
    assert.ok(span.startTimeMs !== undefined && span.endTimeMs !== undefined);
    assert.ok(before <= span.startTimeMs && span.startTimeMs <= span.endTimeMs);
    assert.ok(span.endTimeMs <= after, "it ended when the turn did, not when it was exported");
    assert.equal(span.attributes["actor.outcome"], "ok");
  } finally {
    await system.shutdown();
  }
});

Deno.test("a handler that reads its turn's span gets it, and spans it starts nest under it", async () => {
  using recorded = recordSpans();
  const system = await start();
  try {
    assert.equal(await system.spawn(Reader).ask("look"), true);
    await waitFor(() => recorded.spans.some((s) => s.name === "reader look"), "its span", 10_000);
    const turn = recorded.spans.find((s) => s.name === "reader look")!;
    const inner = recorded.spans.find((s) => s.name === "inner")!;
    assert.equal(inner.parentSpanId, turn.spanId);
    assert.equal(inner.traceId, turn.traceId);
    assert.equal(turn.attributes["reader.looked"], true);
    assert.equal(turn.attributes["actor.type"], "reader");
  } finally {
    await system.shutdown();
  }
});

Deno.test("the spans of the last turns are ended when their system shuts down", async () => {
  using recorded = recordSpans();
  const system = await start();
  const sink = system.spawn(Sink);
  await sink.ask("seen");
  await system.shutdown();
  assert.ok(recorded.spans.some((s) => s.name === "sink seen"));
});

Deno.test("a failed turn's span says so, and the restart is an event under it", async () => {
  using recorded = recordSpans();
  const system = await start();
  try {
    system.spawn(Keeper);
    await waitFor(() => system.lookup("fragile", Fragile) !== undefined, "the child", 10_000);
    system.lookup("fragile", Fragile)!.tell("hit", "crash");
    await waitFor(
      () => recorded.spans.some((s) => s.name === "fragile restart"),
      "the restart span",
      10_000,
    );
    assert.equal(await system.lookup("fragile", Fragile)!.ask("ping"), "pong");
    const failed = recorded.spans.find((s) => s.name === "fragile hit")!;
    assert.equal(failed.attributes["actor.outcome"], "failed");
    assert.equal(failed.status?.code, 2, "status ERROR");
    assert.ok(failed.events.some((e) => e.name === "exception"));
    const restart = recorded.spans.find((s) => s.name === "fragile restart")!;
    assert.equal(restart.parentSpanId, failed.spanId);
    const event = restart.events.find((e) => e.name === "actor.restart");
    assert.equal(event?.attributes?.["actor.incarnation"], 1);
  } finally {
    await system.shutdown();
  }
});

Deno.test("with tracing off no span is made, even with a provider registered", async () => {
  using recorded = recordSpans();
  const system = await start(false);
  try {
    const sink = system.spawn(Sink);
    sink.tell("put", "y");
    assert.deepEqual(await sink.ask("seen"), ["y"]);
    assert.equal(recorded.spans.length, 0);
  } finally {
    await system.shutdown();
  }
});

Deno.test("without a registered provider tracing is off by default", async () => {
  const system = await start();
  try {
    const sink = system.spawn(Sink);
    sink.tell("put", "z");
    assert.deepEqual(await sink.ask("seen"), ["z"]);
  } finally {
    await system.shutdown();
  }
});

Deno.test("a tracer provider that throws as a span ends loses that span, not the host", async () => {
  using recorded = recordSpans();
  const system = await start(true);
  try {
    const sink = system.spawn(Sink);
    recorded.failEnds(true);
    await sink.ask("seen");
    await new Promise((resolve) => setTimeout(resolve, 60));
    recorded.failEnds(false);
    sink.tell("put", "after");
    assert.deepEqual(await sink.ask("seen"), ["after"]);
    await waitFor(() => recorded.spans.some((s) => s.name === "sink put"), "a later span", 10_000);
  } finally {
    await system.shutdown();
  }
});
