/**
 * Startup figures: the wall-clock time of whole `deno run -A <file>`
 * processes, from spawn to exit, with warm module caches:
 * `deno run -A bench/startup.ts <figure>` prints one JSON line.
 *
 * - `startup.hello_ms`: `hello.ts` (ours) and `nact_hello.ts` (the peer),
 *   measured alternately in this one process, so that a machine slowing down
 *   for a minute slows both; the line carries the peer's figure as `peer`.
 * - `startup.trivial_ms`: `trivial.ts`, the floor any `deno run` pays.
 *
 * @module
 */

import { type Measurement, median, report } from "./_measure.ts";

/** A program to time and the one line it must print (so a failed run never counts). */
interface Program {
  readonly file: string;
  readonly prints: string;
}

const hello: Program = { file: "bench/hello.ts", prints: "hello, world" };
const nactHello: Program = { file: "bench/nact_hello.ts", prints: "hello, world" };
const trivial: Program = { file: "bench/trivial.ts", prints: "hello" };

const root = new URL("../", import.meta.url);
const decoder = new TextDecoder();

/** Milliseconds from spawning `deno run -A <file>` to its exit. */
async function timeOnce(program: Program): Promise<number> {
  const command = new Deno.Command(Deno.execPath(), {
    // From the repository root, so the program reads deno.json as `deno run -A bench/...` does.
    args: ["run", "-A", program.file],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    // No background version check: it is not the program's start-up.
    env: { DENO_NO_UPDATE_CHECK: "1" },
  });
  const started = performance.now();
  const { code, stdout, stderr } = await command.output();
  const elapsed = performance.now() - started;
  const printed = decoder.decode(stdout).trim();
  if (code !== 0 || printed !== program.prints) {
    throw new Error(
      `${program.file} exited ${code} printing ${JSON.stringify(printed)}:\n${
        decoder.decode(stderr)
      }`,
    );
  }
  return elapsed;
}

/**
 * Runs every program once untimed (to warm the module caches), then
 * `rounds` times each, one after the other in turn; the median of each.
 */
async function timeInTurn(programs: readonly Program[], rounds = 7): Promise<Measurement[]> {
  for (const program of programs) await timeOnce(program);
  const samples = programs.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, program] of programs.entries()) samples[i].push(await timeOnce(program));
  }
  return samples.map((s) => ({ value: median(s), unit: "ms", samples: s }));
}

const figures: Record<string, () => Promise<void>> = {
  "startup.hello_ms": async () => {
    const [ours, peer] = await timeInTurn([hello, nactHello]);
    report({ ...ours, peer });
  },
  "startup.trivial_ms": async () => {
    const [floor] = await timeInTurn([trivial]);
    report(floor);
  },
};

const run = figures[Deno.args[0]];
if (run === undefined) {
  console.error(`usage: startup.ts <${Object.keys(figures).join("|")}>`);
  Deno.exit(2);
}
await run();
