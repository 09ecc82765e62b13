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
