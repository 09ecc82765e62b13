/**
 * Every definition made in this process, by actor type, so that a host can
 * find the definition a remote spawn names. Hosts running the same entry
 * script have the same definitions; a host agent imports the module a spawn
 * names, which defines it.
 *
 * @module
 */

import type { ActorDefinition } from "./definition.ts";

const byType = new Map<string, ActorDefinition<unknown, unknown, unknown>>();

/** Records a definition (the latest one of a type wins). */
export function registerDefinition(definition: ActorDefinition<unknown, unknown, unknown>): void {
  byType.set(definition.type, definition);
}

/** The definition of a type, if this process has one. */
export function definitionOf(type: string): ActorDefinition<unknown, unknown, unknown> | undefined {
  return byType.get(type);
}
