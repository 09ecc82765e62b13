/**
 * Inspection of a host with a million actors: `deno run -A
 * --v8-flags=--expose-gc bench/inspect.ts <figure> ours|peer` prints one
 * JSON line.
 *
 * - `inspect.actors_1M_ms`: the first page of `system.inspectActors()`
 *   (summaries by type, then 100 actors); the peer is `system.inspect()` of
 *   the same host, which counts every actor and lists the first 1,000.
 * - `inspect.actors_1M_stall_ms`: the longest gap between the ticks of a
 *   1 ms interval timer while that first page is answered; the peer is the
 *   longest gap of the same timer over an idle loop of the same length (the
 *   floor set by timers and garbage collection on this machine).
 *
 * @module
 */

import { ActorSystem, defineActor, type Tell } from "../mod.ts";
import { collectGarbage, type Measurement, median, report } from "./_measure.ts";

const ACTORS = 1_000_000;
const REPETITIONS = 5;

const Idle = defineActor<{ poke: Tell<number> }, number>({
  type: "bench-idle",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

const Other = defineActor<{ poke: Tell<number> }, number>({
  type: "bench-other",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

/** Runs `work` beside a 1 ms interval timer: its time and the longest gap between ticks. */
async function timed(work: () => Promise<unknown>): Promise<{ ms: number; stallMs: number }> {
  const started = performance.now();
  let last = started;
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 1);
  await work();
  const ended = performance.now();
  clearInterval(timer);
  return { ms: ended - started, stallMs: Math.max(stallMs, ended - last) };
}

async function withMillion(body: (system: ActorSystem) => Promise<Measurement>): Promise<void> {
  const system = await ActorSystem.start({ deadLetters: { logPerSecond: 0 } });
  for (let i = 0; i < ACTORS; i++) {
    system.spawn(i % 10 === 0 ? Other : Idle);
    if (i % 50_000 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  collectGarbage();
  report(await body(system));
  await system.shutdown();
}

async function firstPage(system: ActorSystem): Promise<{ ms: number; stallMs: number }> {
  collectGarbage();
  return await timed(async () => {
    const page = await system.inspectActors({ limit: 100 });
    const counted = page.summaries!.reduce((sum, s) => sum + s.count, 0);
    if (counted !== ACTORS || page.actors.length !== 100) {
      throw new Error(`the first page counted ${counted} and listed ${page.actors.length}`);
    }
  });
}

const figures: Record<string, Record<string, () => Promise<void>>> = {
  "inspect.actors_1M_ms": {
    ours: () =>
      withMillion(async (system) => {
        await firstPage(system);
        const samples: number[] = [];
        for (let i = 0; i < REPETITIONS; i++) samples.push((await firstPage(system)).ms);
        return { value: median(samples), unit: "ms", samples };
      }),
    peer: () =>
      withMillion(async (system) => {
        const samples: number[] = [];
        for (let i = 0; i < 2; i++) {
          collectGarbage();
          samples.push((await timed(() => system.inspect({ scope: "host", recent: 0 }))).ms);
        }
        return { value: median(samples), unit: "ms", samples };
      }),
  },
  "inspect.actors_1M_stall_ms": {
    ours: () =>
      withMillion(async (system) => {
        await firstPage(system);
        const samples: number[] = [];
        const idle: number[] = [];
        for (let i = 0; i < REPETITIONS; i++) {
          const { ms, stallMs } = await firstPage(system);
          samples.push(stallMs);
          collectGarbage();
          idle.push((await timed(() => new Promise((resolve) => setTimeout(resolve, ms)))).stallMs);
        }
        return {
          value: median(samples),
          unit: "ms",
          samples,
          peer: { value: median(idle), unit: "ms", samples: idle },
        };
      }),
  },
};

const run = figures[Deno.args[0]]?.[Deno.args[1] ?? "ours"];
if (run === undefined) {
  console.error(`usage: inspect.ts <${Object.keys(figures).join("|")}> ours|peer`);
  Deno.exit(2);
}
await run();
