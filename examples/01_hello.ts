/**
 * 01 — Hello, actors.
 *
 * The quickstart: define a counter with a typed protocol, spawn it, send it
 * messages with `tell`, read it with `ask`, and shut down.
 *
 * Run: deno run -A examples/01_hello.ts
 *
 * @module
 */

import { ActorSystem, type Ask, defineActor, type Tell } from "../mod.ts";

// The protocol: each message name with its payload type, and for asks the reply type.
type CounterProtocol = {
  add: Tell<number>;
  reset: Tell;
  get: Ask<void, number>;
};

// The behaviour: the initial state and one handler per message. Handlers return
// the next state; ask handlers return the next state and the reply.
const Counter = defineActor<CounterProtocol, number>({
  type: "counter",
  init: () => 0,
  tells: {
    add: (count, n) => count + n,
    reset: () => 0,
  },
  asks: {
    get: (count) => ({ state: count, reply: count }),
  },
});

// The embedded default: one in-process host, no server.
const system = await ActorSystem.start();
const counter = system.spawn(Counter, { name: "counter" });

// Tells are fire and forget; messages from one sender are handled in order.
for (let i = 1; i <= 10; i++) counter.tell("add", i);

// An ask waits for the typed reply (here: a number).
const total = await counter.ask("get");
console.log(`counter ${counter.id} holds ${total}`);

// Actors can be found by name.
const again = system.lookup("counter", Counter);
again?.tell("reset");
console.log(`after reset: ${await counter.ask("get")}`);

await system.shutdown();
console.log("done");
