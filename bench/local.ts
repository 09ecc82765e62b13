/**
 * Local figures of this framework, one per process: `deno run -A
 * --v8-flags=--expose-gc bench/local.ts <figure>` prints one JSON line.
 *
 * @module
 */

import {
  ActorSystem,
  type Ask,
  childSpec,
  defineActor,
  defineSupervisor,
  type Tell,
} from "../mod.ts";
import { checkCounted, heapAfterGc, median, rate, report } from "./_measure.ts";

type CounterProtocol = { inc: Tell<number>; get: Ask<void, number> };

const Counter = defineActor<CounterProtocol, number>({
  type: "bench-counter",
  init: () => 0,
  tells: { inc: (n, by) => n + by },
  asks: { get: (n) => ({ state: n, reply: n }) },
});

/**
 * The message of `local.tell`: nact's own increment message, the very object
 * `nact_local.ts` dispatches, so both sides allocate and hand over the same
 * value (`type` is unused here: our tells are routed by name, nact's by it).
 */
type Inc = { readonly type: "inc"; readonly by: number };

// A separate definition, so that the other figures' Counter stays as it was.
const ObjectCounter = defineActor<{ inc: Tell<Inc>; get: Ask<void, number> }, number>({
  type: "bench-object-counter",
  init: () => 0,
  tells: { inc: (n, msg) => n + msg.by },
  asks: { get: (n) => ({ state: n, reply: n }) },
});

const quiet = { deadLetters: { logPerSecond: 0 } };

/** 1M tells of a fresh `{ type: "inc", by: 1 }` to one actor, until all are handled. */
async function tell(): Promise<void> {
  const system = await ActorSystem.start(quiet);
  const counter = system.spawn(ObjectCounter);
  const count = 1_000_000;
  let sent = 0;
  let counted = 0;
  report(
    await rate(count, async () => {
      for (let i = 0; i < count; i++) counter.tell("inc", { type: "inc", by: 1 });
      sent += count;
      counted = await counter.ask("get");
    }),
  );
  checkCounted(counted, sent);
  await system.shutdown();
}

/** 1M tells of the number 1 to one actor, until all are handled. */
async function tellNumbers(): Promise<void> {
  const system = await ActorSystem.start(quiet);
  const counter = system.spawn(Counter);
  const count = 1_000_000;
  let sent = 0;
  let counted = 0;
  report(
    await rate(count, async () => {
      for (let i = 0; i < count; i++) counter.tell("inc", 1);
      sent += count;
      counted = await counter.ask("get");
    }),
  );
  checkCounted(counted, sent);
  await system.shutdown();
}

/**
 * 1M tells to one actor among 1000 idle ones, sent in chunks of 10 000 with
 * the event loop free between chunks; with `inspected`, `system.inspect()`
 * runs every 20 ms meanwhile (its peer is the same run without it).
 */
async function tellInspected(): Promise<void> {
  const inspected = Deno.args[1] === "inspected";
  const system = await ActorSystem.start(quiet);
  for (let i = 0; i < 1_000; i++) system.spawn(Counter);
  const counter = system.spawn(Counter);
  const count = 1_000_000;
  const chunk = 10_000;
  let inspections = 0;
  const inspector = inspected
    ? setInterval(() => void system.inspect().then(() => inspections++), 20)
    : undefined;
  report(
    await rate(count, async () => {
      for (let sent = 0; sent < count; sent += chunk) {
        for (let i = 0; i < chunk; i++) counter.tell("inc", 1);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await counter.ask("get");
    }),
  );
  clearInterval(inspector);
  if (inspected && inspections === 0) throw new Error("no inspection ran during the measurement");
  await system.shutdown();
}

/** Sequential asks to one actor. */
async function ask(): Promise<void> {
  const system = await ActorSystem.start(quiet);
  const counter = system.spawn(Counter);
  const count = 200_000;
  report(
    await rate(count, async () => {
      for (let i = 0; i < count; i++) await counter.ask("get");
    }),
  );
  await system.shutdown();
}

/** 100k spawns, until every actor has started. */
async function spawn(): Promise<void> {
  const count = 100_000;
  report(
    await rate(count, async () => {
      const system = await ActorSystem.start(quiet);
      let last = system.spawn(Counter);
      for (let i = 1; i < count; i++) last = system.spawn(Counter);
      // Actors start in spawn order, so the last one answering means all have started.
      await last.ask("get");
      return () => system.shutdown();
    }),
  );
}

/** Heap bytes per idle actor, with 1M actors started and idle. */
async function idleBytes(): Promise<void> {
  const count = 1_000_000;
  const system = await ActorSystem.start(quiet);
  const before = heapAfterGc();
  let last = system.spawn(Counter);
  for (let i = 1; i < count; i++) last = system.spawn(Counter);
  await last.ask("get");
  const after = heapAfterGc();
  const perActor = (after - before) / count;
  report({ value: perActor, unit: "bytes", samples: [perActor] });
  await system.shutdown();
}

/**
 * Heap bytes per actor that has worked: 1M actors started, each told one
 * message and handled it (the idle figure plus what a first message leaves).
 */
async function usedBytes(): Promise<void> {
  const count = 1_000_000;
  const system = await ActorSystem.start(quiet);
  const before = heapAfterGc();
  let last = system.spawn(Counter);
  last.tell("inc", 1);
  for (let i = 1; i < count; i++) {
    last = system.spawn(Counter);
    last.tell("inc", 1);
  }
  // Actors run in the order they were scheduled: the last one answering means all have handled theirs.
  if (await last.ask("get", undefined, { timeoutMs: 120_000 }) !== 1) {
    throw new Error("the last actor did not handle its message");
  }
  const after = heapAfterGc();
  const perActor = (after - before) / count;
  report({ value: perActor, unit: "bytes", samples: [perActor] });
  await system.shutdown();
}

/** Median time from a child's failure to its restarted incarnation answering. */
async function restart(): Promise<void> {
  const Child = defineActor<{ crash: Tell; ping: Ask<void, number> }, number>({
    type: "bench-child",
    init: () => 0,
    tells: {
      crash: () => {
        throw new Error("crash");
      },
    },
    asks: { ping: (n) => ({ state: n, reply: n }) },
  });
  const Sup = defineSupervisor({
    type: "bench-sup",
    strategy: { kind: "one_for_one", maxRestarts: 1_000_000, withinMs: 1 },
    children: [childSpec(Child, { id: "child", name: "child" })],
  });
  const system = await ActorSystem.start({ ...quiet, deathRecords: { perActor: 1 } });
  await system.spawn(Sup).ask("which");
  const child = system.lookup("child", Child)!;
  const samples: number[] = [];
  for (let i = 0; i < 3_000; i++) {
    const started = performance.now();
    child.tell("crash");
    await child.ask("ping");
    if (i >= 500) samples.push(performance.now() - started);
  }
  report({ value: median(samples), unit: "ms", samples: [median(samples)] });
  await system.shutdown();
}

const figures: Record<string, () => Promise<void>> = {
  "local.tell": tell,
  "local.tell.numbers": tellNumbers,
  "local.tell.inspected": tellInspected,
  "local.ask": ask,
  "local.spawn": spawn,
  "local.idle_bytes_per_actor": idleBytes,
  "local.bytes_per_actor_used": usedBytes,
  "local.restart": restart,
};

const run = figures[Deno.args[0]];
if (run === undefined) {
  console.error(`usage: local.ts <${Object.keys(figures).join("|")}>`);
  Deno.exit(2);
}
await run();
