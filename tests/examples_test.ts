/**
 * Every example runs as its own process, exits by itself, and prints what it promises.
 */

import assert from "node:assert/strict";
import { startNatsServer } from "../testing.ts";
import { stopServer } from "./_helpers/nats.ts";

/** One run of an example: its flags, its exit code, and lines it must print. */
interface Run {
  readonly args?: readonly string[];
  /** @default {0} */
  readonly code?: number;
  readonly expect: readonly RegExp[];
}

const run = (expect: RegExp[], args: string[] = [], code = 0): Run => ({ args, code, expect });

/** Per example, the consecutive runs in one directory (state kept by a run is seen by the next). */
const expectations: Record<string, Run[]> = {
  "01_hello.ts": [run([/^counter \S+\/0 holds 55$/m, /^after reset: 0$/m, /^done$/m])],
  "02_pipeline.ts": [run([
    /^batches sent: 100$/m,
    /^rows counted: 100000 by 4 workers$/m,
    /^matches direct computation: true$/m,
  ])],
  "03_supervision.ts": [run([
    /^records scored: 97 of 100$/m,
    /^scorer-1: running, restarted 2 time\(s\)$/m,
    /^scorer-2: running, restarted 1 time\(s\)$/m,
    /^ {2}handler-failed scorer-1 record 13$/m,
    /^ {2}scorer-2 error in 'score': RangeError: record 42 has a non-finite value -> restarted$/m,
  ])],
  "04_persistent_counter.ts": [
    run([/^started at 0, now 3$/m]),
    run([/^started at 3, now 6$/m]),
  ],
  "05_cluster.ts": [run([
    /^hosts: cpu-a\(gpu=0,zone=a\) driver\(role=driver\) gpu-a\(gpu=1,zone=a\) gpu-b\(gpu=1,zone=b\)$/m,
    /^gpu-worker-0 landed on gpu-a$/m,
    /^gpu-worker-1 landed on gpu-b$/m,
    /^worker-shard-0 landed on \S+$/m,
    /^close to pi: true$/m,
    /^all hosts stopped$/m,
  ])],
  ...examplesInEveryMode("local"),
};

/** How the examples from 06 on run: one host, worker hosts in one process, hosts over NATS. */
type Mode = "local" | "workers" | "cluster";

/** The examples that also run on worker hosts in one process (`--workers 2`). */
const onWorkerHosts = ["06_parameter_server.ts", "07_data_pipeline.ts"];

/**
 * The examples that run on their own, across hosts (`--nats`) and, for
 * {@linkcode onWorkerHosts}, on worker hosts (`--workers 2`): the same runs
 * and results in every mode, plus where the work ran.
 */
function examplesInEveryMode(mode: Mode): Record<string, Run[]> {
  const cluster = mode === "cluster";
  const inMode = new RegExp(`${mode} mode`, "m");
  /** The line that says where the work ran: `<what> per host: <host> <count>, ...`. */
  const workedOn = (what: string, hosts: Record<Mode, string>) =>
    new RegExp(`^${what} per host: ${hosts[mode]}$`, "m");
  // 4 workers spread over the worker hosts, 2 on each; 4 batches each (steps 5-8, rounds 9-12).
  const gradientsOn = workedOn("gradients computed", {
    local: "\\S+ 16",
    workers: "driver-w1 8, driver-w2 8",
    cluster: "ps-a 8, ps-b 8",
  });
  return {
    "06_parameter_server.ts": [
      run(
        [
          /^model: 1048576 parameters in 2 shards, 4 workers, sync updates/m,
          inMode,
          /^resumed at step 0$/m,
          /^step 4: loss 0\.1031$/m,
          /^crashing after step 4$/m,
        ],
        ["--steps", "8", "--crash-after", "4"],
        3,
      ),
      run([
        /^resumed at step 4$/m,
        /^step 8: loss 0\.0814$/m,
        /^now at step 8$/m,
        /^loss decreased: true \(0\.0972 -> 0\.0814\)$/m,
        /^gradients moved: 64 MiB in [\d.]+ s \([\d.]+ MiB\/s\)$/m,
        gradientsOn,
      ], ["--steps", "8"]),
      run([
        /async updates/m,
        /^resumed at step 8$/m,
        /^round 12: loss/m,
        /^now at step 12$/m,
        /^loss decreased: true/m,
        gradientsOn,
      ], ["--steps", "12", "--mode", "async"]),
    ],
    "07_data_pipeline.ts": [run([
      inMode,
      mode === "local" ? /on 1 host\(s\)/m : /on 2 host\(s\)/m,
      /^records written: 1023999 of 1024000$/m,
      /^quarantined: record 9477 \(PoisonRecordError: record 9477 has a non-finite value\)$/m,
      /^dead letters: 2 failed 'transform' asks/m,
      // In all, the 4000 batches but the poison one, and that one's records but the poison record.
      workedOn("batches transformed", {
        local: "\\S+ 4254",
        workers: "driver-w1 [1-9]\\d*, driver-w2 [1-9]\\d*",
        cluster: "etl-a [1-9]\\d*, etl-b [1-9]\\d*",
      }),
      /^worker restarts: 2$/m,
      /\(flat: true\)$/m,
      /^checksum matches a direct computation: true$/m,
    ])],
    "08_sweep.ts": [
      run(
        [
          /^resumed: 0 of 9 trials already done/m,
          /^stopping the sweep the hard way after [4-8] trials$/m,
        ],
        ["--stop-after", "4"],
        3,
      ),
      run([
        /^resumed: [4-8] of 9 trials already done/m,
        /^retried: lr0p05-b32 took 2 attempts$/m,
        /^ {2}1\. lr0p5-b32: loss 3\.924e-6 on \S+$/m,
        ...(cluster ? [/^trials ran on: gpu-1, gpu-2$/m] : []),
      ]),
    ],
    "09_map_reduce.ts": [run([
      inMode,
      ...(cluster ? [/^mappers on: node-a, node-b, node-a, node-b$/m] : []),
      /^words counted: 200000 \(405 distinct\)/m,
      /^top 5: kare 25995, rivisu 7003, tori 5464, tore 3683, gasu 3445$/m,
      /^matches the single-threaded count: true$/m,
    ])],
  };
}

const examplesDir = new URL("../examples/", import.meta.url);

Deno.test("every example has an expectation here", () => {
  const files = [...Deno.readDirSync(examplesDir)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts") && !entry.name.startsWith("_"))
    .map((entry) => entry.name)
    .sort();
  assert.deepEqual(files, Object.keys(expectations).sort());
});

/** Runs an example in its own process, in `cwd`, and returns what it printed. */
async function runExample(
  file: string,
  cwd: string,
  { args = [], code = 0 }: Run,
): Promise<string> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(file, examplesDir).pathname, ...args],
    cwd,
    // Deno 2.9.6 sometimes segfaults as it exits while a concurrent GC task of V8 is still live
    // (a runtime bug: example 09 exited 139 after printing its whole result in 5 of 100 runs beside
    // three CPU hogs, and in 0 of 100 with GC on the main thread). The examples run with a
    // single-threaded GC here, so that their own exit code is what the test checks.
    env: { NO_COLOR: "1", DENO_V8_FLAGS: "--single-threaded-gc" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  });
  const output = await command.output();
  const out = new TextDecoder().decode(output.stdout);
  const err = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, code, `exit code ${output.code}\nstdout:\n${out}\nstderr:\n${err}`);
  return out;
}

/** Runs an example's runs in a fresh directory (so state it keeps starts empty). */
async function runAll(file: string, runs: readonly Run[], extraArgs: string[] = []): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "example-" });
  try {
    for (const one of runs) {
      const out = await runExample(file, cwd, {
        ...one,
        args: [...(one.args ?? []), ...extraArgs],
      });
      for (const pattern of one.expect) assert.match(out, pattern);
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

for (const [file, runs] of Object.entries(expectations)) {
  Deno.test(`example ${file} runs, exits by itself, and prints its result`, () =>
    runAll(file, runs));
}

for (const [file, runs] of Object.entries(examplesInEveryMode("workers"))) {
  if (!onWorkerHosts.includes(file)) continue;
  Deno.test(
    `example ${file} --workers 2 computes on worker hosts in one process and prints the same result`,
    () => runAll(file, runs, ["--workers", "2"]),
  );
}

for (const [file, runs] of Object.entries(examplesInEveryMode("cluster"))) {
  Deno.test({
    name: `example ${file} --nats runs across worker host processes and prints the same result`,
    fn: async () => {
      const server = await startNatsServer();
      try {
        await runAll(file, runs, ["--nats", server.url]);
      } finally {
        await stopServer(server);
      }
    },
  });
}
