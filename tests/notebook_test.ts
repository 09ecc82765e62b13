/**
 * examples/notebook.ipynb, run headlessly with the Deno kernel and nbclient,
 * and type-checked as one module.
 */

import assert from "node:assert/strict";
import { type CellSummary, runNotebook } from "./_helpers/notebook.ts";

const examples = new URL("../examples/", import.meta.url);
const notebook = new URL("notebook.ipynb", examples).pathname;

Deno.test({
  name: "the notebook runs end to end, every code cell has output, the rich ones are HTML",
  fn: async () => {
    const { code, cells, stderr } = await runNotebook(notebook);
    assert.equal(code, 0, `the notebook failed:\n${stderr}`);
    const codeCells = cells.filter((c) => c.type === "code");
    assert.equal(codeCells.length, 8);
    codeCells.forEach((c, i) => assert.ok(c.outputs.length > 0, `code cell ${i} has no output`));
    const [, pool, tree, deaths, progress, workers, live, shutdown] = codeCells;
    assert.equal(pool.outputs.at(-1)?.text, "[ 10, 20, 30 ]");
    const html = (c: CellSummary) => c.outputs.find((o) => o.mimes.includes("text/html"));
    assert.ok(html(tree), "the inspection renders as HTML");
    assert.match(html(tree)!.text, /pool \(loader-pool\)/);
    assert.match(html(tree)!.text, /loader-1 \(loader\).*1 restart/);
    assert.ok(html(deaths), "the death records render as HTML");
    assert.match(html(deaths)!.text, /Error: corrupt shard 1/);
    assert.match(html(deaths)!.text, /while handling 'crash'/);
    assert.ok(progress.outputs.some((o) => o.text.includes("steps after a restart: 3")));
    assert.ok(html(progress), "a ref renders as HTML");
    const printed = workers.outputs.filter((o) => o.type === "stream").map((o) => o.text).join("");
    for (const w of ["w1", "w2"]) {
      assert.match(printed, new RegExp(`hostId: "\\w+-${w}", onWorker: true`), `an actor on ${w}`);
      // On a loaded machine a worker whose loop lags is "busy": alive, but slow to answer.
      assert.match(
        printed,
        new RegExp(`-${w}\\b.*worker.*(alive|busy)`),
        `${w} in system.hosts():\n${printed}`,
      );
    }
    assert.match(printed, /main.*alive/, "the main host in system.hosts()");
    assert.ok(html(workers), "the inspection of the system with workers renders as HTML");
    assert.match(html(workers)!.text, /thread=worker/);
    // Each live display is one output, updated in place, that ends showing its last frame.
    const [view, loss, ...more] = live.outputs;
    assert.deepEqual(more, []);
    const samples =
      /^loaders: 1 host, [\d.e+]+ msg\/s, \d+ queued, \d+ actors \((\d+) samples, stopped\)$/
        .exec(view.text);
    assert.ok(samples !== null && Number(samples[1]) > 1, view.text);
    assert.match(view.html, /<svg /);
    assert.match(
      loss.text,
      /^training loss: train 0\.1405 at step 39, val 0\.2353 at step 39 \(40 points, stopped\)$/,
    );
    assert.match(loss.html, /<svg /);
    assert.equal(shutdown.outputs.at(-1)?.text, '"shut-down"');
  },
});

Deno.test("the notebook's code type-checks as one module", async () => {
  const nb = JSON.parse(await Deno.readTextFile(notebook)) as {
    cells: { cell_type: string; source: string[] }[];
  };
  // The cells import relative to the notebook's folder; the module checked lives elsewhere.
  const source = nb.cells.filter((c) => c.cell_type === "code")
    .map((c) =>
      c.source.join("").replace(
        /from "(\.\.?\/[^"]+)"/g,
        (_, path: string) => `from ${JSON.stringify(new URL(path, examples).href)}`,
      )
    )
    .join(";\n\n");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notebook.ts`, `${source};\nexport {};\n`);
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", `${dir}/notebook.ts`],
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
