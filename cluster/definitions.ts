/**
 * Finding the definition a remote spawn names: in this process's registry
 * (hosts that run the same entry script), or by importing the module the
 * spawn carries (the generic host agent).
 *
 * @module
 */

import {
  type ActorDefinition,
  changedSinceLoaded,
  definitionOf,
  definitionOfVersion,
  diskCodeVersion,
  wasLoaded,
} from "../actors/internal.ts";
import { DefinitionLoadError } from "./errors.ts";
import {
  checkModule,
  moduleFileOf,
  type ModuleLocation,
  moduleUrlOf,
  type ModuleVerdict,
} from "./module_allowlist.ts";

/**
 * Decides whether this host may import the module a spawn names: the
 * normalised URL to import, or why not (`module_allowlist.ts`).
 */
export type ModuleGate = (module: string) => Promise<ModuleVerdict>;

/**
 * The gate of a host: modules under its allowed locations, and, for a worker
 * host, the modules its parent process trusts (the same program).
 *
 * @param locations The allowed locations; none: nothing is imported from the wire.
 * @param trusts Asks whether a module file (URL without query) is trusted elsewhere.
 */
export function moduleGate(
  locations: readonly ModuleLocation[],
  trusts?: (file: string) => Promise<boolean>,
): ModuleGate {
  return async (module) => {
    const verdict = checkModule(module, locations);
    if (verdict.ok || trusts === undefined) return verdict;
    const url = moduleUrlOf(module);
    return url.ok && await trusts(moduleFileOf(url.url)) ? url : verdict;
  };
}

/**
 * The definition of `type`, importing `module` first when this process does
 * not have it. With a `version` (a spawner's definition in a `file:`
 * module), the definition runs exactly that code: one loaded with that
 * version, or the module imported again when the files here now hold that
 * version (a driver re-run after an edit); never another version silently.
 *
 * @param gate Whether the module may be imported (definitions this process
 *   has already are found without importing anything).
 * @param version The code version the spawner runs (`actors/code_version.ts`).
 * @throws {DefinitionLoadError} Naming the module, when it is not allowed, fails to
 *   import, does not define the type, or this host cannot run that version.
 */
export async function loadDefinition(
  hostId: string,
  type: string,
  module: string | undefined,
  gate: ModuleGate,
  version?: string,
): Promise<ActorDefinition<unknown, unknown, unknown>> {
  if (version !== undefined && module?.startsWith("file:")) {
    const exact = definitionOfVersion(type, version);
    if (exact !== undefined) return exact;
  } else {
    const known = definitionOf(type);
    if (known !== undefined) return known;
  }
  if (module === undefined) {
    throw new DefinitionLoadError(
      hostId,
      type,
      undefined,
      "this host does not define it and the definition names no module (give it module: import.meta.url)",
    );
  }
  const allowed = await gate(module);
  if (!allowed.ok) {
    throw new DefinitionLoadError(hostId, type, module, `not allowed: ${allowed.reason}`);
  }
  const url = version === undefined
    ? allowed.url
    : versionedUrl(hostId, type, allowed.url, version);
  try {
    await import(url);
  } catch (err) {
    throw new DefinitionLoadError(
      hostId,
      type,
      module,
      `import failed: ${(err as Error)?.message}`,
      {
        cause: err,
      },
    );
  }
  const loaded = version === undefined ? definitionOf(type) : definitionOfVersion(type, version);
  if (loaded === undefined) {
    throw new DefinitionLoadError(
      hostId,
      type,
      module,
      version === undefined
        ? "the module does not define this actor type"
        : `the module does not define this actor type at code version ${version}`,
    );
  }
  return loaded;
}

/**
 * The URL to import for a version of a module's code: the module itself the
 * first time, the module with `?v=<version>` after an edit (a module URL is
 * evaluated once per process).
 *
 * @throws {DefinitionLoadError} When the files here hold another version,
 *   or a module it imports changed since this process loaded it.
 */
function versionedUrl(hostId: string, type: string, module: string, version: string): string {
  const base = module.replace(/[?#].*$/, "");
  const disk = diskCodeVersion(base);
  if (disk === undefined) {
    throw new DefinitionLoadError(
      hostId,
      type,
      module,
      `this host cannot read ${base} to check its code version ${version}`,
    );
  }
  if (disk.version !== version) {
    throw new DefinitionLoadError(
      hostId,
      type,
      module,
      `its code differs here: the spawner runs version ${version}, this host's files are ` +
        `version ${disk.version} (give every host the same files)`,
    );
  }
  if (!wasLoaded(base)) return base;
  const changed = changedSinceLoaded(disk, base);
  if (changed.length > 0) {
    throw new DefinitionLoadError(
      hostId,
      type,
      module,
      `version ${version} changes modules this host already runs (${changed.join(", ")}), ` +
        `which a running process cannot load again: restart host ${hostId}`,
    );
  }
  return `${base}?v=${version}`;
}
