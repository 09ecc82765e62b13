/**
 * The program `startup.hello_ms` times as a whole process, from spawn to
 * exit: start a system, spawn one actor, ask it once, print the reply, shut
 * down. `nact_hello.ts` is the same program on nact; `trivial.ts` is the floor.
 *
 * Run: deno run -A bench/hello.ts
 *
 * @module
 */

import { ActorSystem, type Ask, defineActor } from "../mod.ts";

const Greeter = defineActor<{ greet: Ask<string, string> }, null>({
  type: "greeter",
  init: () => null,
  asks: { greet: (state, name) => ({ state, reply: `hello, ${name}` }) },
});

const system = await ActorSystem.start();
// Named, as nact_hello.ts names its actor.
const greeter = system.spawn(Greeter, { name: "greeter" });
console.log(await greeter.ask("greet", "world"));
await system.shutdown();
