/**
 * A researcher's own folder, outside the checkout, with no deno.json: a script
 * and a notebook import mod.ts by path or URL and run, and `deno run --check`
 * refuses a wrong payload before anything runs.
 */

import assert from "node:assert/strict";
import { runNotebook } from "./_helpers/notebook.ts";
import { unexpectedWarnings } from "./_helpers/deno_warnings.ts";

const mod = new URL("../mod.ts", import.meta.url);

/** A counter that runs on a worker host, so that the worker loads the user's module too. */
function script(modSpecifier: string): string {
  return `import { ActorSystem, type Ask, defineActor, type Tell } from ${
    JSON.stringify(modSpecifier)
  };

type CounterProtocol = { add: Tell<number>; get: Ask<void, number> };

export const Counter = defineActor<CounterProtocol, number>({
  type: "counter",
  module: import.meta.url,
  init: () => 0,
  tells: { add: (count, n) => count + n },
  asks: { get: (count) => ({ state: count, reply: count }) },
});

if (import.meta.main) {
  const system = await ActorSystem.start({ workers: 1 });
  const counter = await system.spawn(Counter, {
    name: "counter",
    placement: { kind: "spread", labels: { thread: "worker" } },
  });
  for (let i = 1; i <= 10; i++) counter.tell("add", i);
  console.log(\`counter holds \${await counter.ask("get")}\`);
  await system.shutdown();
  console.log("shut down");
}
`;
}

/** A folder under the system's temporary directory: no deno.json or package.json above it. */
async function ownFolder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "own_project_" });
  const repo = new URL("..", import.meta.url).pathname;
  assert.ok(!`${dir}/`.startsWith(repo), `${dir} is outside the checkout`);
  return dir;
}

async function run(
  cwd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

for (
  const [how, specifier] of [
    ["by absolute path", mod.pathname],
    ["by file:// URL", mod.href],
  ] as const
) {
  Deno.test(`a script in a folder of its own imports mod.ts ${how} and runs, type-checked`, async () => {
    const dir = await ownFolder();
    try {
      await Deno.writeTextFile(`${dir}/train.ts`, script(specifier));
      const { code, stdout, stderr } = await run(dir, ["run", "--check", "-A", "train.ts"]);
      assert.equal(code, 0, stderr);
      assert.equal(stdout, "counter holds 55\nshut down\n");
      assert.doesNotMatch(stderr, /not a dependency/);
      assert.deepEqual(unexpectedWarnings(stderr), [], stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("deno run --check refuses a wrong payload before the program runs", async () => {
  const dir = await ownFolder();
  try {
    const wrong = script(mod.pathname).replace(
      'for (let i = 1; i <= 10; i++) counter.tell("add", i);',
      'console.log("started");\n  counter.tell("add", "two");',
    );
    assert.notEqual(wrong, script(mod.pathname), "the wrong line is in the script");
    await Deno.writeTextFile(`${dir}/train.ts`, wrong);
    const { code, stdout, stderr } = await run(dir, ["run", "--check", "-A", "train.ts"]);
    assert.notEqual(code, 0);
    assert.equal(stdout, "", "nothing ran");
    assert.match(stderr, /TS2345/);
    assert.match(stderr, /"two"/);
    assert.match(stderr, /counter\.tell\("add", "two"\)/);
    assert.match(stderr, /train\.ts:\d+:\d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A notebook of three cells that imports mod.ts by its absolute path. */
function notebook(modPath: string): string {
  const sources = [
    `import { ActorSystem, type Ask, defineActor, type Tell } from ${JSON.stringify(modPath)};
const system = await ActorSystem.start();`,
    `type P = { add: Tell<number>; get: Ask<void, number> };
const Counter = defineActor<P, number>({
  type: "counter",
  init: () => 0,
  tells: { add: (count, n) => count + n },
  asks: { get: (count) => ({ state: count, reply: count }) },
});
const counter = system.spawn(Counter, { name: "counter" });
for (let i = 1; i <= 10; i++) counter.tell("add", i);
await counter.ask("get");`,
    `await system.shutdown();
system.status;`,
  ];
  return JSON.stringify({
    cells: sources.map((source, i) => ({
      id: `cell-${i}`,
      cell_type: "code",
      execution_count: null,
      metadata: {},
      outputs: [],
      source: source.split(/(?<=\n)/),
    })),
    metadata: { kernelspec: { display_name: "Deno", language: "typescript", name: "deno" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

Deno.test("a notebook in a folder of its own imports mod.ts by path and runs", async () => {
  const dir = await ownFolder();
  try {
    await Deno.writeTextFile(`${dir}/explore.ipynb`, notebook(mod.pathname));
    const { code, cells, stderr: err } = await runNotebook(`${dir}/explore.ipynb`, { cwd: dir });
    assert.equal(code, 0, `the notebook failed:\n${err}`);
    assert.doesNotMatch(err, /not a dependency/);
    assert.deepEqual(unexpectedWarnings(err), [], err);
    const results = cells.filter((c) => c.type === "code").map((c) => c.outputs.at(-1)?.text);
    assert.deepEqual(results, [undefined, "55", '"shut-down"']);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the warning filter lets through only Deno's once-per-folder build-script note", () => {
  const note = [
    "╭ Warning",
    "│",
    "│  Ignored build scripts for packages:",
    "│  npm:msgpackr-extract@3.0.7",
    "│",
    "│  Lifecycle scripts are only supported when using a `node_modules` directory.",
    "│  Enable it in your deno config file:",
    '│  "nodeModulesDir": "auto"',
    "╰─",
  ].join("\n");
  const other = note.replace("npm:msgpackr-extract@3.0.7", "npm:sharp@0.33.0");
  assert.deepEqual(unexpectedWarnings(`${note}\nCheck train.ts\n`), []);
  assert.deepEqual(unexpectedWarnings(`${other}\n`), [other]);
  assert.deepEqual(unexpectedWarnings("Warning: something else\n"), ["Warning: something else"]);
});
