/**
 * Object refs on the wire: extension `0x4f` (`docs/PROTOCOL.md`, "Object
 * refs"). The payload is one MessagePack array
 * `[objectId: str, keeperActorId: str, durable: bool]`; the reading host
 * turns it into a working object ref through the same resolver as actor
 * refs. Anything else in the payload is refused as undecodable.
 *
 * @module
 */

import {
  isSerializedObjectRef,
  ObjectHandle,
  type SerializedObjectRef,
} from "../actors/internal.ts";
import { addLocalExtension } from "./_value_writer.ts";
import { refuse } from "./_extension_readers.ts";
import { EXTENSION } from "./value_extensions.ts";

/** What the resolver of a decoded value receives for an object ref. */
export type WireObjectRef = SerializedObjectRef & { readonly $ref: string; readonly type: string };

/** The actor type an object ref shows its resolver (it names no actor). */
export const OBJECT_REF_TYPE = "system:object";

/** The payload of an object ref: `[objectId, keeperActorId, durable]`. */
export function objectRefPayload(ref: ObjectHandle<unknown>): [string, string, boolean] {
  return [ref.id, ref.keeper, ref.durable];
}

/**
 * Checks an object ref's payload.
 *
 * @throws {ValueRefusedError} (`undecodable`) When it is not
 *   `[objectId, keeperActorId, durable]` with a well-formed id and actor id.
 */
export function objectRefFromPayload(payload: unknown): WireObjectRef {
  if (Array.isArray(payload) && payload.length === 3) {
    const serialized = { $object: payload[0], keeper: payload[1], durable: payload[2] };
    if (isSerializedObjectRef(serialized)) {
      return { ...serialized, $ref: serialized.keeper, type: OBJECT_REF_TYPE };
    }
  }
  return refuse(
    "undecodable",
    "an object ref that is not [objectId, keeperActorId, durable] with well-formed ids",
  );
}

// Every writer writes object refs as extension 0x4f (the writer's hook for
// extensions whose class it does not know is the same one moved buffers use).
addLocalExtension({
  Class: ObjectHandle,
  type: EXTENSION.objectRef,
  write: (ref: ObjectHandle<unknown>) => objectRefPayload(ref),
});
