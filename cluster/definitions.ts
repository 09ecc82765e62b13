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

/**
 * The definition of `type`, importing `module` first when this process does
 * not have it. With a `version` (a spawner's definition in a `file:`
 * module), the definition runs exactly that code: one loaded with that
 * version, or the module imported again when the files here now hold that
 * version (a driver re-run after an edit); never another version silently.
 *
 * @param allowlist Module URL prefixes that may be imported; `undefined` allows any.
 * @param version The code version the spawner runs (`actors/code_version.ts`).
 * @throws {DefinitionLoadError} Naming the module, when it is not allowed, fails to
 *   import, does not define the type, or this host cannot run that version.
 */
export async function loadDefinition(
  hostId: string,
  type: string,
  module: string | undefined,
  allowlist: readonly string[] | undefined,
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
  if (allowlist !== undefined && !allowlist.some((prefix) => module.startsWith(prefix))) {
    throw new DefinitionLoadError(
      hostId,
      type,
      module,
      "the module is not on this host's allowlist",
    );
  }
  const url = version === undefined ? module : versionedUrl(hostId, type, module, version);
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
