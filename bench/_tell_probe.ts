/**
 * The program `tell_instructions.ts` runs under valgrind: `count` local tells
 * of a fresh `{ type: "inc", by: 1 }` to one actor (the message of
 * `local.tell`), after 200,000 of the same as a warm-up, in chunks under the
 * default mailbox capacity, each drained by an ask; the count is checked.
 *
 * Usage: deno run -A bench/_tell_probe.ts <count> [checkout root, default this one]
 *
 * @module
 */

const count = Number(Deno.args[0]);
const root = Deno.args[1] ?? new URL("..", import.meta.url).pathname;
const { ActorSystem, defineActor } = await import(`${root}/mod.ts`) as typeof import("../mod.ts");
const Counter = defineActor<
  {
    inc: import("../mod.ts").Tell<{ type: "inc"; by: number }>;
    get: import("../mod.ts").Ask<void, number>;
  },
  number
>({
  type: "bench-probe-counter",
  init: () => 0,
  tells: { inc: (n, msg) => n + msg.by },
  asks: { get: (n) => ({ state: n, reply: n }) },
});

const WARM_UP = 200_000;
const CHUNK = 500_000;
const system = await ActorSystem.start({ deadLetters: { logPerSecond: 0 } });
const counter = system.spawn(Counter);
for (let i = 0; i < WARM_UP; i++) counter.tell("inc", { type: "inc", by: 1 });
await counter.ask("get", undefined, { timeoutMs: 3_600_000 });
for (let sent = 0; sent < count;) {
  const chunk = Math.min(CHUNK, count - sent);
  for (let i = 0; i < chunk; i++) counter.tell("inc", { type: "inc", by: 1 });
  sent += chunk;
  await counter.ask("get", undefined, { timeoutMs: 3_600_000 });
}
const counted = await counter.ask("get", undefined, { timeoutMs: 3_600_000 });
if (counted !== WARM_UP + count) throw new Error(`counted ${counted} of ${WARM_UP + count} tells`);
await system.shutdown();
