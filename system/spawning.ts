/**
 * `system.spawn`: one method, three ways to spawn a top-level actor, told
 * apart by its options. `isolation` gives it a worker host of its own,
 * `placement` lets the hosts pick where it runs (both resolve once it has
 * started there), and neither spawns it here at once, as a plain ref.
 *
 * @module
 */

import type { ActorDefinition } from "../actors/definition.ts";
import type { BaseRef } from "../actors/ref.ts";
import type { SpawnOptions, SpawnOptionsBase } from "../actors/spawn_options.ts";
import type { Placement } from "../actors/placement.ts";
import type { Runtime } from "../actors/runtime.ts";
import { type Isolation, type IsolationSeams, spawnIsolated } from "./isolation.ts";
import { startedRef } from "../actors/when_started.ts";

/** What a top-level spawn needs of the system. */
export interface SpawnSeams extends IsolationSeams {
  /** This host's runtime, for a spawn here. */
  readonly runtime: Runtime;
}

/** The options of every kind of top-level spawn, before the kind is known. */
export type AnySpawnOptions = SpawnOptionsBase & {
  readonly args?: unknown;
  readonly placement?: Placement;
  readonly isolation?: Isolation;
};

/**
 * Spawns a top-level actor the way its options say.
 *
 * @returns Its ref: at once for a spawn here, else once it has started.
 */
export function spawnTopLevel(
  seams: SpawnSeams,
  definition: ActorDefinition<unknown, unknown, unknown>,
  options: AnySpawnOptions | undefined,
): BaseRef | Promise<BaseRef> {
  if (options?.isolation !== undefined) {
    return spawnIsolated(
      seams,
      definition,
      options as SpawnOptions<unknown> & { isolation: Isolation },
    );
  }
  if (options?.placement !== undefined) {
    return seams.hosts.spawn(
      definition,
      options as SpawnOptions<unknown> & { placement: Placement },
    ).then((ref) => startedRef(seams.runtime, ref));
  }
  return seams.runtime.spawn(definition, options as never, undefined).ref;
}

/**
 * A definition with its protocol, state and args types forgotten, as the
 * runtime keeps every definition (the typed overloads checked them already).
 */
export function erase(
  // deno-lint-ignore no-explicit-any
  definition: ActorDefinition<any, any, any>,
): ActorDefinition<unknown, unknown, unknown> {
  return definition as unknown as ActorDefinition<unknown, unknown, unknown>;
}
