/**
 * Instructions per local tell, counted by valgrind (`cachegrind`), for one
 * or more checkouts of this project side by side: a figure that a shared,
 * noisy machine does not move the way it moves `local.tell`'s rate (pairs of
 * `local.tell` runs differ by up to 1.5x here; instruction counts by about
 * 2%). Each checkout runs `_tell_probe.ts` with 100,000 and 4,100,000
 * tells, `--v8-flags=--single-threaded` (no compiler or GC threads),
 * alternately, `rounds` times; the figure is the difference of the mean
 * counts over the 4M tells between. It counts instructions, not time: a
 * change that stalls on memory can cost time at the same count. Run it on a
 * quiet machine: the dispatcher yields by elapsed time, so a process slowed
 * by others runs more of its yielding code (beside a test run, counts per
 * tell rose by about 15%, for every checkout alike).
 *
 * Needs valgrind (`apt-get install -y valgrind`). Each run of 4.1M tells
 * takes about two minutes under valgrind.
 *
 * Usage: deno run -A bench/tell_instructions.ts [--rounds N] <checkout root>...
 *
 * @module
 */

import { parseArgs } from "node:util";

const SMALL = 100_000;
const LARGE = 4_100_000;
const PROBE = new URL("./_tell_probe.ts", import.meta.url).pathname;

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { rounds: { type: "string", default: "3" } },
  allowPositionals: true,
});
const rounds = Number(values.rounds);
const roots = positionals.length > 0 ? positionals : [new URL("..", import.meta.url).pathname];

async function valgrindFound(): Promise<boolean> {
  try {
    return (await new Deno.Command("valgrind", { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

/** The instructions of one probe run, counted over the whole process. */
async function instructions(root: string, count: number): Promise<number> {
  const { success, stderr } = await new Deno.Command("valgrind", {
    args: [
      "--tool=cachegrind",
      "--cache-sim=no",
      // V8 writes the code it runs: valgrind must see every write to code.
      "--smc-check=all-non-file",
      "--cachegrind-out-file=/dev/null",
      Deno.execPath(),
      "run",
      "-A",
      "--v8-flags=--single-threaded",
      PROBE,
      String(count),
      root,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr);
  const found = /I\s+refs:\s+([\d,]+)/.exec(text);
  if (!success || found === null) throw new Error(`the probe failed in ${root}:\n${text}`);
  return Number(found[1].replaceAll(",", ""));
}

if (!(await valgrindFound())) {
  console.error("valgrind is not installed: apt-get install -y valgrind");
  Deno.exit(2);
}
// One untimed run each, so that every checkout's modules are compiled and cached.
for (const root of roots) await instructions(root, 1_000);
const counts = new Map(
  roots.map((root) => [root, { small: [] as number[], large: [] as number[] }]),
);
for (let round = 0; round < rounds; round++) {
  for (const root of roots) {
    counts.get(root)!.small.push(await instructions(root, SMALL));
    counts.get(root)!.large.push(await instructions(root, LARGE));
  }
}
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const first = roots[0];
const perTell = (root: string) => {
  const { small, large } = counts.get(root)!;
  return (mean(large) - mean(small)) / (LARGE - SMALL);
};
for (const root of roots) {
  console.log(JSON.stringify({
    root,
    instructionsPerTell: Math.round(perTell(root) * 10) / 10,
    ratioToFirst: Math.round(perTell(root) / perTell(first) * 1000) / 1000,
    small: counts.get(root)!.small,
    large: counts.get(root)!.large,
  }));
}
