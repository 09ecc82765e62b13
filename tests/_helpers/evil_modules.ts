/**
 * Modules for remote-code-execution attacks: a folder outside the
 * repository whose "evil" modules leave a marker file if their code ever
 * runs, beside a folder with one harmless definition.
 *
 * @module
 */

import { join } from "node:path";

const mod = new URL("../../mod.ts", import.meta.url).href;

/** The folder of {@linkcode evilModules}. */
export interface EvilModules {
  /** The folder (real path). */
  readonly dir: string;
  /** Where the evil modules leave their markers. */
  readonly markers: string;
  /** The `file:` URL of a path inside the folder (`allowed/good.ts`). */
  url(path: string): string;
  /** A `data:` URL whose code leaves the marker `data`. */
  readonly dataModule: string;
  /** The names of the markers left so far: empty while no evil code ran. */
  ran(): Promise<string[]>;
}

/**
 * A folder outside the repository: `allowed/good.ts` (a definition of type
 * `allowed-good`), `outside/evil.js` and `allowed-evil/evil.js` (code that
 * leaves a marker). Removed by `cleanup`.
 */
export async function evilModules(cleanup: AsyncDisposableStack): Promise<EvilModules> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "evil-modules-" }));
  cleanup.defer(() => Deno.remove(dir, { recursive: true }));
  const markers = join(dir, "markers");
  for (const sub of ["allowed", "outside", "allowed-evil", "markers"]) {
    await Deno.mkdir(join(dir, sub));
  }
  const evil = (name: string) =>
    `Deno.writeTextFileSync(${JSON.stringify(join(markers, name))}, "ran");\n`;
  await Deno.writeTextFile(join(dir, "outside", "evil.js"), evil("outside"));
  await Deno.writeTextFile(join(dir, "allowed-evil", "evil.js"), evil("sibling"));
  await Deno.writeTextFile(
    join(dir, "allowed", "good.ts"),
    `import { type Ask, defineActor } from "${mod}";
export const Good = defineActor<{ hello: Ask<void, string> }, null>({
  type: "allowed-good",
  module: import.meta.url,
  init: () => null,
  asks: { hello: (s) => ({ state: s, reply: "good" }) },
});
`,
  );
  return {
    dir,
    markers,
    url: (path) => `file://${join(dir, path)}`,
    dataModule: `data:text/javascript,${encodeURIComponent(evil("data"))}`,
    ran: async () => {
      const names: string[] = [];
      for await (const entry of Deno.readDir(markers)) names.push(entry.name);
      return names;
    },
  };
}
