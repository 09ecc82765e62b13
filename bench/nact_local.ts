/**
 * The same local figures measured on `nact`, the Node.js actor library we
 * compare against: `deno run -A --v8-flags=--expose-gc bench/nact_local.ts <figure>`.
 *
 * @module
 */

import { dispatch, query, spawn, start, stop } from "npm:nact@7.6.2";
import { checkCounted, heapAfterGc, median, rate, report } from "./_measure.ts";

type Message = { type: "inc"; by: number } | { type: "get"; sender: unknown };

// deno-lint-ignore no-explicit-any
function counter(parent: any, name?: string): any {
  return spawn(
    parent,
    (state: number, msg: Message) => {
      if (msg.type === "inc") return state + msg.by;
      // deno-lint-ignore no-explicit-any
      dispatch(msg.sender as any, state);
      return state;
    },
    name,
    { initialState: 0 },
  );
}

/**
 * The counter of `local.tell.numbers`: increments are plain numbers, told
 * apart from `get` queries by `typeof` (nact has one handler per actor, so it
 * needs some test; ours routes by message name before the handler).
 */
// deno-lint-ignore no-explicit-any
function numberCounter(parent: any): any {
  return spawn(
    parent,
    (state: number, msg: number | { type: "get"; sender: unknown }) => {
      if (typeof msg === "number") return state + msg;
      // deno-lint-ignore no-explicit-any
      dispatch(msg.sender as any, state);
      return state;
    },
    undefined,
    { initialState: 0 },
  );
}

// The counters answer `get` with their state, a number.
// deno-lint-ignore no-explicit-any
const get = (ref: any): Promise<number> =>
  query(ref, (sender: unknown) => ({ type: "get", sender }), 60_000) as Promise<number>;

/** 1M dispatches of a fresh `{ type: "inc", by: 1 }` (ours tells the same object). */
async function tell(): Promise<void> {
  const system = start();
  const ref = counter(system);
  const count = 1_000_000;
  let sent = 0;
  let counted = 0;
  report(
    await rate(count, async () => {
      for (let i = 0; i < count; i++) dispatch(ref, { type: "inc", by: 1 });
      sent += count;
      counted = await get(ref);
    }),
  );
  checkCounted(counted, sent);
  stop(system);
}

/** 1M dispatches of the number 1 (ours tells the same number). */
async function tellNumbers(): Promise<void> {
  const system = start();
  const ref = numberCounter(system);
  const count = 1_000_000;
  let sent = 0;
  let counted = 0;
  report(
    await rate(count, async () => {
      for (let i = 0; i < count; i++) dispatch(ref, 1);
      sent += count;
      counted = await get(ref);
    }),
  );
  checkCounted(counted, sent);
  stop(system);
}

async function ask(): Promise<void> {
  const system = start();
  const ref = counter(system);
  const count = 50_000;
  report(
    await rate(count, async () => {
      for (let i = 0; i < count; i++) await get(ref);
    }),
  );
  stop(system);
}

async function spawnMany(): Promise<void> {
  const count = 100_000;
  report(
    await rate(count, async () => {
      const system = start();
      // nact's random default names collide at this scale, so name each one.
      let last = counter(system, "a0");
      for (let i = 1; i < count; i++) last = counter(system, `a${i}`);
      await get(last);
      return () => Promise.resolve(stop(system));
    }),
  );
}

async function idleBytes(): Promise<void> {
  const count = 1_000_000;
  const system = start();
  const before = heapAfterGc();
  let last = counter(system, "a0");
  for (let i = 1; i < count; i++) last = counter(system, `a${i}`);
  await get(last);
  const after = heapAfterGc();
  const perActor = (after - before) / count;
  report({ value: perActor, unit: "bytes", samples: [perActor] });
  stop(system);
}

/** Heap bytes per actor after each of 1M actors handled one message. */
async function usedBytes(): Promise<void> {
  const count = 1_000_000;
  const system = start();
  const before = heapAfterGc();
  let last = counter(system, "a0");
  dispatch(last, { type: "inc", by: 1 });
  for (let i = 1; i < count; i++) {
    last = counter(system, `a${i}`);
    dispatch(last, { type: "inc", by: 1 });
  }
  await get(last);
  const after = heapAfterGc();
  const perActor = (after - before) / count;
  report({ value: perActor, unit: "bytes", samples: [perActor] });
  stop(system);
}

/** Median time from a crash to the reset actor answering, with nact's `onCrash: reset`. */
async function restart(): Promise<void> {
  const system = start();
  const child = spawn(
    system,
    // deno-lint-ignore no-explicit-any
    (state: number, msg: any) => {
      if (msg.type === "crash") throw new Error("crash");
      dispatch(msg.sender, state);
      return state;
    },
    "child",
    // deno-lint-ignore no-explicit-any
    { initialState: 0, onCrash: (_msg: unknown, _err: unknown, ctx: any) => ctx.reset },
  );
  const samples: number[] = [];
  for (let i = 0; i < 3_000; i++) {
    const started = performance.now();
    dispatch(child, { type: "crash" });
    await get(child);
    if (i >= 500) samples.push(performance.now() - started);
  }
  report({ value: median(samples), unit: "ms", samples: [median(samples)] });
  stop(system);
}

const figures: Record<string, () => Promise<void>> = {
  "local.tell": tell,
  "local.tell.numbers": tellNumbers,
  "local.ask": ask,
  "local.spawn": spawnMany,
  "local.idle_bytes_per_actor": idleBytes,
  "local.bytes_per_actor_used": usedBytes,
  "local.restart": restart,
};

const run = figures[Deno.args[0]];
if (run === undefined) {
  console.error(`usage: nact_local.ts <${Object.keys(figures).join("|")}>`);
  Deno.exit(2);
}
await run();
// nact keeps timers of its own; the figure is printed, so leave at once.
Deno.exit(0);
