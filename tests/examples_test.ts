/**
 * Every example runs as its own process, exits by itself, and prints what it promises.
 */

import assert from "node:assert/strict";

/** Per example, the output expected from each consecutive run. */
const expectations: Record<string, RegExp[][]> = {
  "01_hello.ts": [[/^counter \S+\/0 holds 55$/m, /^after reset: 0$/m, /^done$/m]],
  "02_pipeline.ts": [[
    /^batches sent: 100$/m,
    /^rows counted: 100000 by 4 workers$/m,
    /^matches direct computation: true$/m,
  ]],
  "03_supervision.ts": [[
    /^records scored: 97 of 100$/m,
    /^scorer-1: running, restarted 2 time\(s\)$/m,
    /^scorer-2: running, restarted 1 time\(s\)$/m,
    /^ {2}handler-failed scorer-1 record 13$/m,
    /^ {2}scorer-2 error in 'score': RangeError: record 42 has a non-finite value -> restarted$/m,
  ]],
  "04_persistent_counter.ts": [
    [/^started at 0, now 3$/m],
    [/^started at 3, now 6$/m],
  ],
  "05_cluster.ts": [[
    /^hosts: cpu-a\(gpu=0,zone=a\) driver\(role=driver\) gpu-a\(gpu=1,zone=a\) gpu-b\(gpu=1,zone=b\)$/m,
    /^gpu-worker-0 landed on gpu-a$/m,
    /^gpu-worker-1 landed on gpu-b$/m,
    /^worker-shard-0 landed on \S+$/m,
    /^close to pi: true$/m,
    /^all hosts stopped$/m,
  ]],
};

const examplesDir = new URL("../examples/", import.meta.url);

Deno.test("every example has an expectation here", () => {
  const files = [...Deno.readDirSync(examplesDir)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts"))
    .map((entry) => entry.name)
    .sort();
  assert.deepEqual(files, Object.keys(expectations).sort());
});

/** Runs an example in its own process, in `cwd`, and returns what it printed. */
async function runExample(file: string, cwd: string): Promise<string> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(file, examplesDir).pathname],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  });
  const { code, stdout, stderr } = await command.output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `exit code ${code}\nstdout:\n${out}\nstderr:\n${err}`);
  return out;
}

for (const [file, runs] of Object.entries(expectations)) {
  Deno.test(`example ${file} runs, exits by itself with code 0, and prints its result`, async () => {
    // Each example runs in a fresh directory, so files it keeps (state) start empty.
    const cwd = await Deno.makeTempDir({ prefix: "example-" });
    try {
      for (const patterns of runs) {
        const out = await runExample(file, cwd);
        for (const pattern of patterns) assert.match(out, pattern);
      }
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });
}
