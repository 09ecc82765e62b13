/**
 * Notebook cells run again: a start cell with the same options returns the
 * running system, and a spawn cell run again explains `existing`. Run
 * headlessly with the Deno kernel and nbclient.
 */

import assert from "node:assert/strict";
import { runNotebook } from "./_helpers/notebook.ts";

const notebook = new URL("./_helpers/notebooks/rerun.ipynb", import.meta.url).pathname;

Deno.test("a start cell run again returns the running system; a spawn cell run again explains existing", async () => {
  const { code, cells, stderr } = await runNotebook(notebook);
  assert.equal(code, 0, `the notebook failed:\n${stderr}`);
  const results = cells.filter((c) => c.type === "code").map((c) => c.outputs.at(-1)?.text ?? "");
  const [, started, again, duplicate, reused, shutdown] = results;
  assert.equal(started, '"nb"');
  assert.equal(again, '"the same system: true"');
  assert.match(duplicate, /already taken .*existing: "reuse".*"replace"/);
  assert.equal(reused, '"reused holds 1"');
  assert.equal(shutdown, '"shut-down"');
});
