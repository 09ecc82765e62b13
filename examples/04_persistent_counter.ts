/**
 * 04 — A persistent counter: run it twice, the count continues.
 *
 * The counter's definition has `persistence: { version: 1 }`. On the
 * embedded default, its state lives in `.actorcluster/state.db` (SQLite) in
 * the working directory: it is loaded before the first message, and saved
 * after every turn that changed it, before an ask's reply is released — so
 * once `ask` returns, the new count is on disk.
 *
 * Run: deno run -A examples/04_persistent_counter.ts   (then again)
 *
 * @module
 */

import { ActorSystem, type Ask, defineActor, type Tell } from "../mod.ts";

type CounterProtocol = {
  increment: Tell;
  count: Ask<void, number>;
};

const Counter = defineActor<CounterProtocol, { count: number }>({
  type: "persistent-counter",
  init: () => ({ count: 0 }),
  persistence: { version: 1 },
  // Return a new state object for a change to be saved.
  tells: { increment: (state) => ({ count: state.count + 1 }) },
  asks: { count: (state) => ({ state, reply: state.count }) },
});

const system = await ActorSystem.start();
const counter = system.spawn(Counter, { name: "runs" });

const before = await counter.ask("count");
for (let i = 0; i < 3; i++) counter.tell("increment");
const after = await counter.ask("count");

console.log(`started at ${before}, now ${after}`);
await system.shutdown();
