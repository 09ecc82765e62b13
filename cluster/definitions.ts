/**
 * Finding the definition a remote spawn names: in this process's registry
 * (hosts that run the same entry script), or by importing the module the
 * spawn carries (the generic host agent).
 *
 * @module
 */

import { type ActorDefinition, definitionOf } from "../actors/internal.ts";
import { DefinitionLoadError } from "./errors.ts";

/**
 * The definition of `type`, importing `module` first when this process does not have it.
 *
 * @param allowlist Module URL prefixes that may be imported; `undefined` allows any.
 * @throws {DefinitionLoadError} Naming the module, when it is not allowed, fails to
 *   import, or does not define the type.
 */
export async function loadDefinition(
  hostId: string,
  type: string,
  module: string | undefined,
  allowlist: readonly string[] | undefined,
): Promise<ActorDefinition<unknown, unknown, unknown>> {
  const known = definitionOf(type);
  if (known !== undefined) return known;
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
  try {
    await import(module);
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
  const loaded = definitionOf(type);
  if (loaded === undefined) {
    throw new DefinitionLoadError(
      hostId,
      type,
      module,
      "the module does not define this actor type",
    );
  }
  return loaded;
}
