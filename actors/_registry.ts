/**
 * Every definition made in this process, by actor type, so that a host can
 * find the definition a remote spawn names. Hosts running the same entry
 * script have the same definitions; a host agent imports the module a spawn
 * names, which defines it.
 *
 * @module
 */

import type { ActorDefinition } from "./definition.ts";
import { loadedCodeVersion } from "./code_version.ts";

type AnyDefinition = ActorDefinition<unknown, unknown, unknown>;

const byType = new Map<string, AnyDefinition>();
/** Every definition of each type, one per code version loaded (a host may run several). */
const allByType = new Map<string, AnyDefinition[]>();

/** Records a definition (the latest one of a type wins). */
export function registerDefinition(definition: AnyDefinition): void {
  byType.set(definition.type, definition);
  const all = allByType.get(definition.type);
  if (all === undefined) allByType.set(definition.type, [definition]);
  else all.push(definition);
  const module = definition.module;
  if (module?.startsWith("file:")) {
    // Hash the code as loaded, soon after its module was evaluated (see code_version.ts).
    const timer = setTimeout(() => loadedCodeVersion(module), 0);
    Deno.unrefTimer(timer as unknown as number);
  }
}

/** The version of the code a definition runs, when its module has one (`code_version.ts`). */
export function codeVersionOf(
  definition: { readonly module: string | undefined },
): string | undefined {
  return definition.module === undefined ? undefined : loadedCodeVersion(definition.module);
}

/** The definition of a type whose code has this version, if this process loaded it. */
export function definitionOfVersion(type: string, version: string): AnyDefinition | undefined {
  return allByType.get(type)?.find((definition) => codeVersionOf(definition) === version);
}

/** The definition of a type, if this process has one. */
export function definitionOf(type: string): ActorDefinition<unknown, unknown, unknown> | undefined {
  return byType.get(type);
}

/**
 * Whether this process has a definition from the module at `file` (a URL
 * without query; a definition's module compares without its query too, so
 * a versioned import `?v=` counts as its file).
 */
export function hasDefinitionsFrom(file: string): boolean {
  for (const all of allByType.values()) {
    for (const definition of all) {
      if (definition.module !== undefined && withoutQuery(definition.module) === file) return true;
    }
  }
  return false;
}

function withoutQuery(module: string): string | undefined {
  try {
    const url = new URL(module);
    url.search = "";
    url.hash = "";
    return url.href;
  } catch {
    return undefined;
  }
}
