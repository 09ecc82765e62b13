/**
 * Refs from what a program holds instead of a ref: an actor's name, a
 * serialized ref, a serialized object ref. Each is checked against what the
 * caller expects (the definition's type, the serialized shape) here, so that
 * a wrong one fails at once instead of at the first message.
 *
 * @module
 */

import type { ActorDefinition } from "../actors/definition.ts";
import type { BaseRef, SerializedRef } from "../actors/ref.ts";
import type { Runtime } from "../actors/runtime.ts";
import { isSerializedRef } from "../actors/ref.ts";
import { ActorTypeMismatchError } from "../actors/errors.ts";
import {
  isSerializedObjectRef,
  type ObjectRef,
  type SerializedObjectRef,
} from "../actors/objects/object_ref.ts";
import { InvalidOptionError } from "../base/errors.ts";

/**
 * The live actor of `runtime` named `name`, if any.
 *
 * @throws {ActorTypeMismatchError} When it is of another type than `definition`.
 */
export function lookup(
  runtime: Runtime,
  name: string,
  definition: ActorDefinition<unknown, unknown, unknown> | undefined,
): BaseRef | undefined {
  const cell = runtime.cellByName(name);
  if (cell === undefined) return undefined;
  if (definition !== undefined && definition.type !== cell.def.type) {
    throw new ActorTypeMismatchError(cell.id, definition.type, cell.def.type);
  }
  return cell.ref;
}

/**
 * A working ref from its serialized form, of `definition`'s type.
 *
 * @throws {InvalidOptionError} When `serialized` is not a serialized ref.
 * @throws {ActorTypeMismatchError} When the ref's type differs from `definition.type`.
 */
export function resolveRef(
  runtime: Runtime,
  serialized: SerializedRef,
  definition: ActorDefinition<unknown, unknown, unknown>,
): BaseRef {
  if (!isSerializedRef(serialized)) {
    throw new InvalidOptionError("serialized", serialized, "a serialized ref { $ref, type }");
  }
  if (serialized.type !== definition.type) {
    throw new ActorTypeMismatchError(serialized.$ref, definition.type, serialized.type);
  }
  return runtime.resolveRef(serialized);
}

/**
 * A working object ref on this host from its serialized form.
 *
 * @throws {InvalidOptionError} When `serialized` is not a serialized object ref.
 */
export function resolveObjectRef(
  runtime: Runtime,
  serialized: SerializedObjectRef,
): ObjectRef<unknown> {
  if (!isSerializedObjectRef(serialized)) {
    throw new InvalidOptionError(
      "serialized",
      serialized,
      "a serialized object ref { $object, keeper, durable }",
    );
  }
  return runtime.objects.handle(serialized);
}
