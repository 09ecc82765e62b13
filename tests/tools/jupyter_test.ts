/**
 * `deno task jupyter` installs a Deno kernel whose binary does not live in
 * npm's cache, and a notebook runs on it.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runNotebook } from "../_helpers/notebook.ts";

const tool = new URL("../../tools/jupyter.ts", import.meta.url).pathname;
const notebook = new URL("../_helpers/notebooks/rerun.ipynb", import.meta.url).pathname;

Deno.test("the installed kernel runs a copy of Deno of its own, and a notebook runs on it", async () => {
  const home = await Deno.makeTempDir({ prefix: "jupyter-home-" });
  try {
    const dataDir = join(home, "data");
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", tool, "--data-dir", dataDir],
      env: { HOME: home },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    const spec = JSON.parse(
      await Deno.readTextFile(join(dataDir, "kernels", "deno", "kernel.json")),
    );
    const deno: string = spec.argv[0];
    assert.ok(deno.startsWith(join(home, ".local", "share", "actorcluster")), deno);
    assert.notEqual(deno, Deno.execPath());
    assert.deepEqual(spec.argv.slice(1), ["jupyter", "--kernel", "--conn", "{connection_file}"]);
    const version = await new Deno.Command(deno, { args: ["--version"], stdout: "piped" }).output();
    assert.match(new TextDecoder().decode(version.stdout), new RegExp(`deno ${Deno.version.deno}`));
    const run = await runNotebook(notebook, { deno });
    assert.equal(run.code, 0, run.stderr);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
