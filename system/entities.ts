/**
 * The system's door to entities: a typed ref by definition and key, checked
 * here so that a bad key or a definition that is not an entity type fails
 * at once with a typed error, never later on some host.
 *
 * @module
 */

import type { ActorDefinition } from "../actors/definition.ts";
import type { Runtime } from "../actors/runtime.ts";
import { EntityRef } from "../actors/entities/entity_ref.ts";
import { validateEntityKey } from "../actors/entities/address.ts";
import { InvalidOptionError } from "../base/errors.ts";

/**
 * A ref to the entity of `definition`'s type with `key`.
 *
 * @throws {InvalidOptionError} When the definition has no `entity` option.
 * @throws {InvalidNameError} (`field: "key"`) When the key breaks the naming rules.
 */
export function entityRef(
  runtime: Runtime,
  definition: ActorDefinition<unknown, unknown, unknown>,
  key: string,
): EntityRef {
  const options = definition?.spec?.entity;
  if (options === undefined) {
    throw new InvalidOptionError(
      "definition",
      definition?.type,
      "an entity type (a definition with an `entity` option)",
    );
  }
  validateEntityKey(key, definition.type);
  return new EntityRef(runtime, definition.type, key, options.labels);
}
