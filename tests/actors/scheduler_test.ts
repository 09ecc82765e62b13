import assert from "node:assert/strict";
import { type Ask, type BaseRef, defineActor, type Tell } from "../../mod.ts";
import { Counter } from "../_helpers/actors.ts";
import { withSystem } from "../_helpers/system.ts";

Deno.test("a flood to one actor does not starve another actor", async () => {
  const Observer = defineActor<{ look: Ask<BaseRef, number> }, null>({
    type: "observer",
    init: () => null,
    // Reports how many flood messages were handled before this actor's turn came.
    asks: { look: async (state, target) => ({ state, reply: (await target.stats()).handled }) },
  });
  await withSystem(async (system) => {
    const busy = system.spawn(Counter);
    const observer = system.spawn(Observer);
    for (let i = 0; i < 200_000; i++) busy.tell("add", 1);
    const handledBefore = await observer.ask("look", busy);
    assert.ok(
      handledBefore < 1_000,
      `the observer got a turn after ${handledBefore} flood messages`,
    );
    assert.equal(await busy.ask("get"), 200_000);
  });
});

Deno.test("an actor that keeps messaging itself still lets timers and I/O run", async () => {
  // The rally ends by itself after RALLY hits, so a scheduler that starves the timer
  // fails the test (the timer fires only after the rally) instead of hanging it.
  const RALLY = 100_000_000;
  type PingProtocol = { ball: Tell<number>; stop: Tell; hits: Ask<void, number> };
  const Player = defineActor<
    PingProtocol,
    { peer?: import("../../mod.ts").ActorRef<PingProtocol>; hits: number; on: boolean },
    void
  >({
    type: "player",
    init: () => ({ hits: 0, on: true }),
    tells: {
      ball: (state, n, ctx) => {
        if (!state.on || n >= RALLY) return state;
        (state.peer ?? ctx.self).tell("ball", n + 1);
        return { ...state, hits: state.hits + 1 };
      },
      stop: (state) => ({ ...state, on: false }),
    },
    asks: { hits: (state) => ({ state, reply: state.hits }) },
  });
  await withSystem(async (system) => {
    const player = system.spawn(Player);
    player.tell("ball", 0);
    // A real macrotask timer must still fire while the actor keeps itself busy.
    await new Promise((resolve) => setTimeout(resolve, 30));
    player.tell("stop");
    const hits = await player.ask("hits");
    assert.ok(hits > 1_000, `the rally ran (${hits} hits)`);
    assert.ok(hits < RALLY, "the timer fired while the rally was still going");
  });
});

/** Work that does not yield: a handler that computes for `ms`. */
function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/**
 * An actor that does `steps` steps of 10 ms each, either telling itself the
 * next step or handling steps told from outside; `progress.stop` makes the
 * steps left trivial, so that a test ends soon after it has seen what it wanted.
 */
function stepper(progress: { done: number; stop: boolean }, steps: number) {
  return defineActor<{ step: Tell<{ n: number; next: boolean }> }, null>({
    type: "stepper",
    init: () => null,
    tells: {
      step: (state, { n, next }, ctx) => {
        if (progress.stop) return state;
        busyWait(10);
        progress.done = n + 1;
        if (next && n + 1 < steps) ctx.self.tell("step", { n: n + 1, next });
        return state;
      },
    },
  });
}

const STEPS = 300;

/** Resolves with the steps done when a real 50 ms timer fires. */
function stepsDoneWhenTimerFires(progress: { done: number }): Promise<number> {
  return new Promise((resolve) => setTimeout(() => resolve(progress.done), 50));
}

Deno.test("a 50 ms timer fires while an actor works through 300 self-told steps of 10 ms", async () => {
  const progress = { done: 0, stop: false };
  await withSystem(async (system) => {
    const actor = system.spawn(stepper(progress, STEPS));
    actor.tell("step", { n: 0, next: true });
    const doneBeforeTimer = await stepsDoneWhenTimerFires(progress);
    progress.stop = true;
    assert.ok(doneBeforeTimer < STEPS, "the timer fired before the last step");
    // 100 steps are a second of work: a timer that waits for that waits for whole turns.
    assert.ok(doneBeforeTimer < 100, `the timer fired after ${doneBeforeTimer} steps`);
  });
});

Deno.test("a 50 ms timer fires while an actor works through 300 queued 10 ms messages", async () => {
  const progress = { done: 0, stop: false };
  await withSystem(async (system) => {
    const actor = system.spawn(stepper(progress, STEPS));
    for (let n = 0; n < STEPS; n++) actor.tell("step", { n, next: false });
    const doneBeforeTimer = await stepsDoneWhenTimerFires(progress);
    progress.stop = true;
    assert.ok(doneBeforeTimer < STEPS, "the timer fired before the last message");
    assert.ok(doneBeforeTimer < 100, `the timer fired after ${doneBeforeTimer} messages`);
  });
});

Deno.test("a file read and an HTTP request complete while an actor works through 10 ms steps", async () => {
  const progress = { done: 0, stop: false };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    return new Response("pong");
  });
  try {
    await withSystem(async (system) => {
      const actor = system.spawn(stepper(progress, STEPS));
      actor.tell("step", { n: 0, next: true });
      const file = Deno.readTextFile(new URL(import.meta.url)).then(() => progress.done);
      const http = fetch(`http://127.0.0.1:${server.addr.port}/`)
        .then((response) => response.text())
        .then((body) => ({ body, done: progress.done }));
      const [fileDone, { body, done: httpDone }] = await Promise.all([file, http]);
      progress.stop = true;
      assert.equal(body, "pong");
      assert.ok(fileDone < STEPS, `the file was read after ${fileDone} steps`);
      assert.ok(httpDone < STEPS, `the request completed after ${httpDone} steps`);
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("trivial tells to many actors are all delivered, in order, across yields", async () => {
  const ACTORS = 100;
  const EACH = 5_000;
  let handled = 0;
  const InOrder = defineActor<{ n: Tell<number>; next: Ask<void, number> }, number>({
    type: "in-order",
    init: () => 0,
    tells: {
      // The state is the next number expected; a number out of order sticks at -1.
      n: (expected, n) => {
        handled++;
        return expected === n ? n + 1 : -1;
      },
    },
    asks: { next: (expected) => ({ state: expected, reply: expected }) },
  });
  // A 1 ms slice: half a million tells take several, so the dispatcher yields between them.
  await withSystem(async (system) => {
    const actors = Array.from({ length: ACTORS }, () => system.spawn(InOrder));
    for (let n = 0; n < EACH; n++) for (const actor of actors) actor.tell("n", n);
    const handledAtTimer = await new Promise<number>((resolve) =>
      setTimeout(() => resolve(handled), 0)
    );
    const next = await Promise.all(actors.map((actor) => actor.ask("next")));
    assert.ok(
      handledAtTimer > 0 && handledAtTimer < ACTORS * EACH,
      `a timer ran between the tells (after ${handledAtTimer})`,
    );
    assert.deepEqual(next, actors.map(() => EACH));
  }, { scheduler: { sliceMs: 1 } });
});

Deno.test("an actor whose long turns get it timed message by message still handles its messages in order", async () => {
  const COUNT = 1_000;
  const Mixed = defineActor<{ n: Tell<number>; next: Ask<void, number> }, number>({
    type: "mixed",
    init: () => 0,
    tells: {
      // Every 100th message is 3 ms long; the state is the next number expected.
      n: (expected, n) => {
        if (n % 100 === 0) busyWait(3);
        return expected === n ? n + 1 : -1;
      },
    },
    asks: { next: (expected) => ({ state: expected, reply: expected }) },
  });
  await withSystem(async (system) => {
    const mixed = system.spawn(Mixed);
    const others = Array.from({ length: 10 }, () => system.spawn(Mixed));
    for (let n = 0; n < COUNT; n++) {
      mixed.tell("n", n);
      for (const other of others) other.tell("n", n);
    }
    assert.equal(await mixed.ask("next"), COUNT);
    assert.deepEqual(await Promise.all(others.map((o) => o.ask("next"))), others.map(() => COUNT));
  });
});
