/**
 * Deno's warning boxes in a child's stderr, less the one we expect: outside a
 * project with `"nodeModulesDir"`, Deno prints, the first time it runs in a
 * folder, that msgpackr-extract's build script was ignored (msgpackr works
 * without it; README "Your own project"). Deno marks it warned per folder, in
 * its global cache.
 */

/** One box: from its `╭` top line to its `╰─` bottom line. */
const BOX = /^.*╭[\s\S]*?^.*╰─.*$/gm;

/** The kernel's own note, printed by every `deno jupyter` run. */
const JUPYTER_UNSTABLE = /^Warning "deno jupyter" is unstable and might change in the future\.$/;

/** The once-per-folder note about msgpackr-extract's ignored build script. */
function isOnceOnlyBuildScriptNote(box: string): boolean {
  return /Ignored build scripts for packages:/.test(box) &&
    /npm:msgpackr-extract@/.test(box) &&
    !/npm:(?!msgpackr-extract@)\S+@/.test(box) &&
    /Lifecycle scripts are only supported when using a `node_modules` directory/.test(box);
}

/**
 * The warnings in `stderr` that no test expects: every warning box but the
 * once-per-folder build-script note, and every other line that says "Warning"
 * (but the Jupyter kernel's note that it is unstable).
 */
export function unexpectedWarnings(stderr: string): string[] {
  // deno-lint-ignore no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  const boxes = [...plain.matchAll(BOX)].map((m) => m[0]);
  const rest = plain.replace(BOX, "");
  return [
    ...boxes.filter((box) => !isOnceOnlyBuildScriptNote(box)),
    ...rest.split("\n").filter((line) => /warning/i.test(line) && !JUPYTER_UNSTABLE.test(line)),
  ];
}
