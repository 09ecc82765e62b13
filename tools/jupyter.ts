/**
 * Installs a Deno kernel for Jupyter that keeps working: `deno jupyter
 * --install` records whichever `deno` runs it, and under `npx` that is a
 * binary in npm's cache, which npm may clean or replace. This copies the
 * running Deno binary to a folder of its own and writes a kernelspec that
 * points there.
 *
 * Usage: deno task jupyter [--data-dir <dir>] [--name <kernel name>]
 *
 * - the binary goes to `<home>/.local/share/actorcluster/deno-<version>/deno`;
 * - the kernelspec to `<data dir>/kernels/<name>/kernel.json` (data dir:
 *   `--data-dir`, else `$JUPYTER_DATA_DIR`, else `<home>/.local/share/jupyter`;
 *   name: `deno`, which is what notebooks made with Deno's kernel ask for).
 *
 * Jupyter itself is not installed here: `pip install jupyterlab` (or, on
 * Debian, `apt-get install jupyter-notebook`), then `jupyter lab` and pick
 * the kernel "Deno".
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";

/** Where the kernel was installed. */
export interface KernelInstall {
  /** The copy of the Deno binary the kernel runs. */
  readonly deno: string;
  /** The kernelspec file. */
  readonly kernelJson: string;
}

/**
 * Copies the running Deno binary to a stable folder and writes a kernelspec for it.
 *
 * @param dataDir Jupyter's data folder (the kernelspec goes to `kernels/<name>` in it).
 * @param name The kernel's name.
 * @param home The folder whose `.local/share/actorcluster` gets the binary.
 */
export async function installKernel(
  dataDir: string,
  name: string,
  home: string,
): Promise<KernelInstall> {
  const version = Deno.version.deno;
  const binDir = join(home, ".local", "share", "actorcluster", `deno-${version}`);
  const deno = join(binDir, Deno.build.os === "windows" ? "deno.exe" : "deno");
  if (Deno.execPath() !== deno) {
    await Deno.mkdir(binDir, { recursive: true });
    // Copied to a temporary name first, so a kernel running the old copy is not cut off.
    const temporary = `${deno}.${crypto.randomUUID()}`;
    await Deno.copyFile(Deno.execPath(), temporary);
    if (Deno.build.os !== "windows") await Deno.chmod(temporary, 0o755);
    await Deno.rename(temporary, deno);
  }
  const kernelDir = join(dataDir, "kernels", name);
  await Deno.mkdir(kernelDir, { recursive: true });
  const kernelJson = join(kernelDir, "kernel.json");
  const spec = {
    argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
  };
  await Deno.writeTextFile(kernelJson, JSON.stringify(spec, null, 2) + "\n");
  return { deno, kernelJson };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { "data-dir": { type: "string" }, name: { type: "string" } },
  });
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (home === undefined) {
    console.error("jupyter: HOME is not set; cannot tell where to install");
    Deno.exit(2);
  }
  const dataDir = values["data-dir"] ?? Deno.env.get("JUPYTER_DATA_DIR") ??
    join(home, ".local", "share", "jupyter");
  const installed = await installKernel(dataDir, values.name ?? "deno", home);
  console.log(`Deno ${Deno.version.deno} kernel installed:`);
  console.log(`  kernelspec  ${installed.kernelJson}`);
  console.log(`  runs        ${installed.deno}`);
  console.log("Next: install Jupyter (pip install jupyterlab), run `jupyter lab`, pick 'Deno'.");
}
