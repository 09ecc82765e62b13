/**
 * The layers import downwards: checked by reading every library module's
 * imports. Folder rules and circles count type-only imports too; what a
 * program loads counts only value imports (types are erased at run time), and
 * `import()` is loaded on demand, not with the module.
 */

import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = normalize(join(dirname(fileURLToPath(import.meta.url)), ".."));

interface Import {
  readonly specifier: string;
  /** Erased at run time (`import type`, or every name marked `type`). */
  readonly typeOnly: boolean;
  /** `import()`: loaded on demand, not with the module. */
  readonly dynamic: boolean;
}

const STATIC = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;"']*?)\s*from\s*["']([^"']+)["']/g;
const BARE = /(?:^|\n)\s*import\s+["']([^"']+)["']/g;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(source: string): Import[] {
  const code = source.replace(/^\s*\/\*\*[\s\S]*?\*\//gm, "").replace(/^\s*\/\/.*$/gm, "");
  const found: Import[] = [];
  for (const m of code.matchAll(STATIC)) {
    const clause = m[3];
    const named = /^\{([\s\S]*)\}$/.exec(clause.trim());
    const allTyped = named !== null &&
      named[1].split(",").map((s) => s.trim()).filter((s) => s !== "")
        .every((s) => s.startsWith("type "));
    found.push({ specifier: m[4], typeOnly: m[2] !== undefined || allTyped, dynamic: false });
  }
  for (const m of code.matchAll(BARE)) {
    found.push({ specifier: m[1], typeOnly: false, dynamic: false });
  }
  for (const m of code.matchAll(DYNAMIC)) {
    found.push({ specifier: m[1], typeOnly: false, dynamic: true });
  }
  return found;
}

/** Adds the imports of every `.ts` file under `dir` (by path from the root) to `into`. */
async function walkInto(into: Map<string, Import[]>, dir: string): Promise<void> {
  for await (const entry of Deno.readDir(join(root, dir))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await walkInto(into, path);
    else if (entry.name.endsWith(".ts")) {
      into.set(path, importsOf(await Deno.readTextFile(join(root, path))));
    }
  }
}

/** Every library module (not tests, examples, benchmarks, chaos or tools), by path from the root. */
async function libraryModules(): Promise<Map<string, Import[]>> {
  const modules = new Map<string, Import[]>();
  const folders = ["actors", "base", "cluster", "store", "system", "testkit", "transport", "cli"];
  for (const folder of folders) await walkInto(modules, folder);
  for (const file of ["mod.ts", "testing.ts", "types.ts", "notebook.ts", "system.ts"]) {
    modules.set(file, importsOf(await Deno.readTextFile(join(root, file))));
  }
  return modules;
}

function target(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return relative(root, normalize(join(root, dirname(from), specifier)));
}

const modules = await libraryModules();

function importsInto(fromFolder: string, intoFolder: string) {
  const hits: string[] = [];
  for (const [file, imports] of modules) {
    if (!file.startsWith(fromFolder + "/")) continue;
    for (const i of imports) {
      const to = target(file, i.specifier);
      if (to?.startsWith(intoFolder + "/")) hits.push(`${file} -> ${to}`);
    }
  }
  return hits;
}

Deno.test("the parser sees value, type-only and dynamic imports", () => {
  const found = importsOf(
    `import type { A } from "./a.ts";\nimport { type B, C } from "./b.ts";\n` +
      `import { type D } from "./d.ts";\nexport { E } from "./e.ts";\nconst f = await import("./f.ts");`,
  );
  assert.deepEqual(
    found.map((i) => [i.specifier, i.typeOnly, i.dynamic]),
    [
      ["./a.ts", true, false],
      ["./b.ts", false, false],
      ["./d.ts", true, false],
      ["./e.ts", false, false],
      ["./f.ts", false, true],
    ],
  );
});

Deno.test("base/ imports nothing of the library but itself", () => {
  for (const folder of ["actors", "cluster", "store", "transport", "system", "testkit"]) {
    assert.deepEqual(importsInto("base", folder), [], `base/ imports ${folder}/`);
  }
});

Deno.test("store/ and transport/ know nothing of actors or the cluster", () => {
  for (const lower of ["store", "transport"]) {
    for (const upper of ["actors", "cluster", "system"]) {
      assert.deepEqual(importsInto(lower, upper), [], `${lower}/ imports ${upper}/`);
    }
  }
});

Deno.test("actors/ imports neither the cluster nor a transport", () => {
  assert.deepEqual(importsInto("actors", "cluster"), []);
  assert.deepEqual(importsInto("actors", "transport"), []);
  assert.deepEqual(importsInto("actors", "system"), []);
});

Deno.test("cluster/ reaches the local runtime only through actors/internal.ts", () => {
  const hits = importsInto("cluster", "actors").filter((hit) =>
    !hit.endsWith("-> actors/internal.ts")
  );
  assert.deepEqual(hits, []);
});

Deno.test("no circle of imports crosses a folder, type-only imports included", () => {
  const edges = new Map<string, string[]>();
  for (const [file, imports] of modules) {
    edges.set(
      file,
      imports.filter((i) => !i.dynamic)
        .map((i) => target(file, i.specifier))
        .filter((to): to is string => to !== undefined && modules.has(to)),
    );
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  const crossing = circles.filter((c) => new Set(c.map((f) => dirname(f))).size > 1);
  assert.deepEqual(crossing, []);
});

Deno.test("a local program loads no NATS, MessagePack or test-kit code", () => {
  const loaded = new Set<string>();
  const external = new Set<string>();
  const pending = ["mod.ts"];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const i of modules.get(file) ?? []) {
      if (i.typeOnly || i.dynamic) continue;
      const to = target(file, i.specifier);
      if (to === undefined) external.add(i.specifier);
      else pending.push(to);
    }
  }
  const heavy = [...external].filter((s) => /nats|msgpackr|sinonjs|fake-timers/.test(s));
  assert.deepEqual(heavy, [], "mod.ts loads these with the program");
  assert.deepEqual([...loaded].filter((f) => f.startsWith("testkit/")), []);
  assert.deepEqual([...loaded].filter((f) => f.startsWith("cluster/codec")), []);
});

/** `node:x`, or `npm:name@1.2.3` with an optional `/subpath`: nothing resolved by a config. */
const PINNED =
  /^(?:node:.+|npm:((?:@[a-z0-9._-]+\/)?[a-z0-9._-]+)@(\d+\.\d+\.\d+(?:-[\w.]+)?)(?:\/.*)?)$/;

function unpinned(files: Map<string, Import[]>): string[] {
  const hits: string[] = [];
  for (const [file, imports] of files) {
    for (const i of imports) {
      if (!i.specifier.startsWith(".") && !PINNED.test(i.specifier)) {
        hits.push(`${file}: ${i.specifier}`);
      }
    }
  }
  return hits;
}

function versionsByPackage(files: Map<string, Import[]>): Map<string, Set<string>> {
  const versions = new Map<string, Set<string>>();
  for (const imports of files.values()) {
    for (const i of imports) {
      const m = PINNED.exec(i.specifier);
      if (m?.[1] === undefined) continue;
      versions.set(m[1], (versions.get(m[1]) ?? new Set()).add(m[2]));
    }
  }
  return versions;
}

Deno.test("the pinning rule accepts node: and exact npm: versions and nothing else", () => {
  const verdicts = [
    "node:path",
    "npm:msgpackr@2.1.3",
    "npm:@nats-io/nats-core@3.4.0/internal",
    "msgpackr",
    "npm:msgpackr",
    "npm:msgpackr@^2.1.3",
    "npm:@nats-io/kv@3",
    "jsr:@std/async@1.0.0",
    "https://esm.sh/msgpackr@2.1.3",
  ].map((s) => [s, PINNED.test(s)]);
  assert.deepEqual(verdicts.filter(([, ok]) => ok).map(([s]) => s), [
    "node:path",
    "npm:msgpackr@2.1.3",
    "npm:@nats-io/nats-core@3.4.0/internal",
  ]);
});

Deno.test("every third-party import in the library is a pinned npm: specifier, so mod.ts imports from anywhere", () => {
  assert.deepEqual(unpinned(modules), []);
});

Deno.test("each package is imported at one version, across the library, tests, examples and tools", async () => {
  const everything = new Map(modules);
  for (const folder of ["tests", "examples", "bench", "chaos", "tools"]) {
    await walkInto(everything, folder);
  }
  assert.deepEqual(unpinned(everything), []);
  const mixed = [...versionsByPackage(everything)].filter(([, v]) => v.size > 1)
    .map(([name, v]) => `${name}: ${[...v].join(", ")}`);
  assert.deepEqual(mixed, []);
  assert.ok(versionsByPackage(everything).has("msgpackr"), "the scan saw the library's packages");
});

function exportedNames(file: string): { values: string[]; types: string[] } {
  const source = Deno.readTextFileSync(join(root, file));
  const values: string[] = [];
  const types: string[] = [];
  for (const m of source.matchAll(/export (type )?\{([^}]*)\}/g)) {
    const names = m[2].split(",").map((s) => s.trim()).filter((s) => s !== "");
    for (const name of names) {
      if (m[1] !== undefined || name.startsWith("type ")) types.push(name.replace("type ", ""));
      else values.push(name);
    }
  }
  return { values, types };
}

Deno.test("mod.ts is a door of about 81 names; the rest of the type vocabulary is in types.ts", () => {
  const { values, types } = exportedNames("mod.ts");
  assert.ok(values.length + types.length <= 81, `mod.ts exports ${values.length + types.length}`);
  assert.ok(!/export \*/.test(Deno.readTextFileSync(join(root, "mod.ts"))), "no export *");
  assert.deepEqual(exportedNames("types.ts").values, [], "types.ts exports types only");
  assert.ok(modules.get("types.ts")!.every((i) => i.typeOnly), "types.ts loads nothing");
});
