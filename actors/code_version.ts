/**
 * Code versions: which code a definition runs, as a short hash of the
 * source of its module and every local module it imports (transitively),
 * by paths relative to the module, so two checkouts of the same code in
 * different folders have the same version. A remote spawn carries the
 * version of the spawner's definition, and a host runs exactly that code
 * or refuses the spawn (`cluster/definitions.ts`).
 *
 * Only `file:` modules have versions, and only when this process may read
 * them (`--allow-read`); other modules (`https:`, `data:`) are named by
 * their URL alone. Imports of packages (`npm:`, `jsr:`) count by their
 * specifier text, which pins their version.
 *
 * The hash of a file is taken the first time this process reads it, when
 * its module is evaluated: that is the code this process runs, even when
 * the file is edited later. {@linkcode diskCodeVersion} reads the files as
 * they are now.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The hash of each local file as this process loaded it, by URL (with its query). */
const loadedHashes = new Map<string, string>();
/** The local imports of each file as this process loaded it, by URL. */
const loadedImports = new Map<string, string[]>();
/** Versions of modules as loaded, by module URL. */
const loadedVersions = new Map<string, string | undefined>();

/** A module graph read from disk: its version and each file's hash, by URL without query. */
export interface CodeGraph {
  /** The version: a hash of every file's path (relative to the module) and content. */
  readonly version: string;
  /** Each local file's content hash, by URL (the entry with its query, if it had one). */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * The version of the code this process loaded for a module (hashed when the
 * module was first evaluated), or `undefined` when it has none.
 */
export function loadedCodeVersion(moduleUrl: string): string | undefined {
  if (loadedVersions.has(moduleUrl)) return loadedVersions.get(moduleUrl);
  const graph = readGraph(moduleUrl, true);
  const version = graph?.version;
  loadedVersions.set(moduleUrl, version);
  return version;
}

/** The version of a module's code as it is on disk now, with each file's hash. */
export function diskCodeVersion(moduleUrl: string): CodeGraph | undefined {
  return readGraph(moduleUrl, false);
}

/**
 * The files of a module's graph whose content on disk differs from what
 * this process loaded (the entry module itself left out).
 */
export function changedSinceLoaded(graph: CodeGraph, entryUrl: string): string[] {
  const changed: string[] = [];
  for (const [url, hash] of graph.files) {
    if (url === entryUrl) continue;
    const loaded = loadedHashes.get(url);
    if (loaded !== undefined && loaded !== hash) changed.push(url);
  }
  return changed;
}

/** Whether this process ever evaluated (and hashed) the file at this URL. */
export function wasLoaded(url: string): boolean {
  return loadedHashes.has(url);
}

/** The path of a `file:` URL (its query left out), or `undefined`. */
function fromFileUrl(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

function readGraph(entryUrl: string, asLoaded: boolean): CodeGraph | undefined {
  if (!entryUrl.startsWith("file:")) return undefined;
  const files = new Map<string, string>();
  const pending = [entryUrl];
  try {
    while (pending.length > 0) {
      const url = pending.pop()!;
      if (files.has(url)) continue;
      const path = fromFileUrl(url);
      if (path === undefined || !mayRead(path)) return undefined;
      let hash = asLoaded ? loadedHashes.get(url) : undefined;
      let imports = asLoaded ? loadedImports.get(url) : undefined;
      if (hash === undefined || imports === undefined) {
        const source = Deno.readTextFileSync(path);
        hash = createHash("sha256").update(source).digest("hex");
        imports = localImports(source).map((specifier) => new URL(specifier, url).href);
        if (asLoaded) {
          loadedHashes.set(url, hash);
          loadedImports.set(url, imports);
        }
      }
      files.set(url, hash);
      pending.push(...imports);
    }
  } catch {
    return undefined;
  }
  const base = dirname(fromFileUrl(entryUrl)!);
  const lines = [...files].map(([url, hash]) => `${relative(base, fromFileUrl(url)!)} ${hash}`);
  lines.sort();
  const version = createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 12);
  return { version, files };
}

const IMPORT = /(?:^|[\s;}])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']/g;
const BARE_IMPORT = /(?:^|[\s;}])import\s*["']([^"']+)["']/g;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The relative and `file:` specifiers a module imports (statically or with a literal `import()`). */
function localImports(source: string): string[] {
  const found: string[] = [];
  for (const pattern of [IMPORT, BARE_IMPORT, DYNAMIC_IMPORT]) {
    for (const m of source.matchAll(pattern)) {
      const specifier = m[1];
      if (specifier.startsWith(".") || specifier.startsWith("file:")) found.push(specifier);
    }
  }
  return found;
}

let readsAnything: boolean | undefined;

function mayRead(path: string): boolean {
  try {
    readsAnything ??= Deno.permissions.querySync({ name: "read" }).state === "granted";
    return readsAnything || Deno.permissions.querySync({ name: "read", path }).state === "granted";
  } catch {
    return false;
  }
}
