/**
 * Local figures of this framework, one per process: `deno run -A
 * --v8-flags=--expose-gc bench/local.ts <figure>` prints one JSON line.
 *
 * @module
 */

import { ActorSystem, type Ask, defineActor, type Tell } from "../mod.ts";
import { heapAfterGc, rate, report } from "./_measure.ts";

type CounterProtocol = { inc: Tell<number>; get: Ask<void, number> };

const Counter = defineActor<CounterProtocol, number>({
  type: "bench-counter",
  init: () => 0,
  tells: { inc: (n, by) => n + by },
  asks: { get: (n) => ({ state: n, reply: n }) },
});

const quiet = { deadLetters: { logPerSecond: 0 } };

/** 1M tells to one actor, until all are handled. */
async function tell(): Promise<void> {
  const system = await ActorSystem.start(quiet);
  const counter = system.spawn(Counter);
  const count = 1_000_000;
  report(
    await rate(count, async () => {
      for (let i = 0; i < count; i++) counter.tell("inc", 1);
      await counter.ask("get");
    }),
  );
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

const figures: Record<string, () => Promise<void>> = {
  "local.tell": tell,
  "local.ask": ask,
  "local.spawn": spawn,
  "local.idle_bytes_per_actor": idleBytes,
};

const run = figures[Deno.args[0]];
if (run === undefined) {
  console.error(`usage: local.ts <${Object.keys(figures).join("|")}>`);
  Deno.exit(2);
}
await run();
