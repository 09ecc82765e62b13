import assert from "node:assert/strict";
import {
  ActorFailedError,
  ActorStoppedError,
  type Ask,
  AskAbortedError,
  AskTimeoutError,
  defineActor,
  type Tell,
} from "../../mod.ts";
import { Counter, Recorder } from "../_helpers/actors.ts";
import { withSystem, withVirtualSystem } from "../_helpers/system.ts";

Deno.test("tell then ask returns the state built by the handlers", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    counter.tell("add", 2);
    counter.tell("add", 40);
    assert.equal(await counter.ask("get"), 42);
  });
});

Deno.test("messages from one sender are handled in the order they were sent", async () => {
  await withSystem(async (system) => {
    const recorder = system.spawn(Recorder);
    for (let i = 0; i < 10_000; i++) recorder.tell("record", i);
    const log = await recorder.ask("all");
    assert.deepEqual(log, Array.from({ length: 10_000 }, (_, i) => i));
  });
});

Deno.test("an async handler is awaited before the next message starts", async () => {
  const events: string[] = [];
  const Slow = defineActor<{ work: Tell<number>; done: Ask<void, number> }, number>({
    type: "slow",
    init: () => 0,
    tells: {
      work: async (n, i) => {
        events.push(`start ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
        events.push(`end ${i}`);
        return n + 1;
      },
    },
    asks: { done: (n) => ({ state: n, reply: n }) },
  });
  await withSystem(async (system) => {
    const slow = system.spawn(Slow);
    slow.tell("work", 1);
    slow.tell("work", 2);
    slow.tell("work", 3);
    assert.equal(await slow.ask("done"), 3);
    assert.deepEqual(events, ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  });
});

Deno.test("an async ask handler replies after its awaited work", async () => {
  const Echo = defineActor<{ echo: Ask<string, string> }, null>({
    type: "echo",
    init: () => null,
    asks: {
      echo: async (state, text) => {
        await Promise.resolve();
        return { state, reply: text.toUpperCase() };
      },
    },
  });
  await withSystem(async (system) => {
    assert.equal(await system.spawn(Echo).ask("echo", "hi"), "HI");
  });
});

Deno.test("an ask that gets no reply rejects with AskTimeoutError after its timeout", async () => {
  const Mute = defineActor<{ get: Ask<void, number> }, null>({
    type: "mute",
    init: () => null,
    asks: { get: () => new Promise(() => {}) },
  });
  await withVirtualSystem(async (system, clock) => {
    const reply = system.spawn(Mute).ask("get", undefined, { timeoutMs: 250 });
    let settled = false;
    reply.catch(() => settled = true);
    await clock.advance(249);
    assert.equal(settled, false);
    await clock.advance(1);
    const err = await reply.catch((e) => e);
    assert.ok(err instanceof AskTimeoutError);
    assert.equal(err.timeoutMs, 250);
    assert.equal(err.messageName, "get");
  });
});

Deno.test("asks with different timeouts each expire at their own deadline", async () => {
  const Mute = defineActor<{ get: Ask<number, number> }, null>({
    type: "mute",
    init: () => null,
    asks: { get: () => new Promise(() => {}) },
  });
  await withVirtualSystem(async (system, clock) => {
    const mute = system.spawn(Mute);
    const expired: number[] = [];
    const asks = [300, 100, 200, 100].map((timeoutMs, i) =>
      mute.ask("get", i, { timeoutMs }).catch(() => expired.push(timeoutMs))
    );
    await clock.advance(100);
    assert.deepEqual(expired, [100, 100]);
    await clock.advance(100);
    assert.deepEqual(expired, [100, 100, 200]);
    await clock.advance(100);
    await Promise.all(asks);
    assert.deepEqual(expired, [100, 100, 200, 300]);
  });
});

Deno.test("an ask rejects with AskAbortedError when its signal aborts", async () => {
  const Mute = defineActor<{ get: Ask<void, number> }, null>({
    type: "mute",
    init: () => null,
    asks: { get: () => new Promise(() => {}) },
  });
  await withVirtualSystem(async (system) => {
    const mute = system.spawn(Mute);
    const controller = new AbortController();
    const reply = mute.ask("get", undefined, { signal: controller.signal });
    controller.abort(new Error("user cancelled"));
    const err = await reply.catch((e) => e);
    assert.ok(err instanceof AskAbortedError);
    assert.equal((err.cause as Error).message, "user cancelled");

    const already = await mute.ask("get", undefined, { signal: AbortSignal.abort() })
      .catch((e) => e);
    assert.ok(AskAbortedError.is(already));
  });
});

Deno.test("an ask to a stopped actor rejects at once, not after its timeout", async () => {
  await withVirtualSystem(async (system) => {
    const counter = system.spawn(Counter);
    await system.stop(counter);
    // The virtual clock never moves here: only an immediate rejection settles it.
    const err = await counter.ask("get", undefined, { timeoutMs: 60_000 }).catch((e) => e);
    assert.ok(err instanceof ActorStoppedError);
    assert.equal(err.actorId, counter.id);
  });
});

Deno.test("an ask whose handler throws rejects with ActorFailedError carrying the error", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    const err = await counter.ask("failAsk", "bad input").catch((e) => e);
    assert.ok(err instanceof ActorFailedError);
    assert.equal((err.cause as Error).message, "bad input");
    assert.equal(err.messageName, "failAsk");
  });
});

Deno.test("refs compare by actor identity and round-trip through JSON", async () => {
  await withSystem(async (system) => {
    const a = system.spawn(Counter, { name: "a" });
    const b = system.spawn(Counter);
    assert.ok(a.equals(a));
    assert.ok(!a.equals(b));
    assert.ok(!a.equals(null));
    const json = JSON.parse(JSON.stringify(a));
    assert.deepEqual(json, { $ref: a.id, type: "counter", name: "a" });
    const back = system.resolveRef(json, Counter);
    assert.ok(back.equals(a));
    assert.equal(back, a, "the local ref is the same object");
    back.tell("add", 5);
    assert.equal(await a.ask("get"), 5);
  });
});

Deno.test("a ref travels inside a message and works on arrival", async () => {
  type PingProtocol = {
    ping: Tell<{ replyTo: import("../../mod.ts").ActorRef<PongProtocol> }>;
    sync: Ask<void, null>;
  };
  type PongProtocol = { pong: Tell<string>; count: Ask<void, number> };
  const Pinger = defineActor<PingProtocol, null>({
    type: "pinger",
    init: () => null,
    tells: {
      ping: (state, { replyTo }) => {
        replyTo.tell("pong", "pong!");
        return state;
      },
    },
    asks: { sync: (state) => ({ state, reply: null }) },
  });
  const Ponger = defineActor<PongProtocol, number>({
    type: "ponger",
    init: () => 0,
    tells: { pong: (n) => n + 1 },
    asks: { count: (n) => ({ state: n, reply: n }) },
  });
  await withSystem(async (system) => {
    const pinger = system.spawn(Pinger);
    const ponger = system.spawn(Ponger);
    pinger.tell("ping", { replyTo: ponger });
    pinger.tell("ping", { replyTo: ponger });
    await pinger.ask("sync"); // both pings handled: both pongs are queued before the next ask
    assert.equal(await ponger.ask("count"), 2);
  });
});

Deno.test("an ask handler can refuse with { state, error }: the ask rejects and the actor keeps running", async () => {
  class QuotaError extends Error {
    override name = "QuotaError";
  }
  const Quota = defineActor<{ take: Ask<number, number> }, number>({
    type: "quota",
    init: () => 10,
    asks: {
      take: (left, n) =>
        n > left
          ? { state: left, error: new QuotaError(`only ${left} left`) }
          : { state: left - n, reply: left - n },
    },
  });
  await withSystem(async (system) => {
    const quota = system.spawn(Quota);
    assert.equal(await quota.ask("take", 4), 6);
    const err = await quota.ask("take", 7).catch((e) => e);
    assert.ok(err instanceof QuotaError);
    assert.equal(err.message, "only 6 left");
    assert.equal(await quota.ask("take", 6), 0, "the actor kept its state and runs on");
    assert.equal(system.deadLetters.total, 0, "a refusal is not a failure");
  });
});
