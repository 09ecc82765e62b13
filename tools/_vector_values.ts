/**
 * The JSON form of values in the golden vectors (`docs/protocol-vectors/`):
 * JSON's own types stand for themselves, and an object with one of these
 * tags stands for what JSON has no type for:
 *
 * | tag                                       | value                                   |
 * | ----------------------------------------- | --------------------------------------- |
 * | `{"$undefined": true}`                    | `undefined`                             |
 * | `{"$bigint": "-5"}`                       | a `bigint`                              |
 * | `{"$date": 1700000000123}`                | a `Date` (milliseconds since the epoch) |
 * | `{"$bin": "0102"}`                        | a `Uint8Array` (MessagePack `bin`)      |
 * | `{"$typed": "Float32Array", "values": []}` | a typed array (bigint elements as strings) |
 * | `{"$set": [...]}`                         | a `Set`                                 |
 * | `{"$map": [[key, value], ...]}`           | a `Map`                                 |
 * | `{"$ref": "h1/2s", "type": "t", "name"?}` | an actor ref                            |
 * | `{"$objectRef": "o1", "keeper": "h1/2s", "durable": false}` | an object ref |
 * | `{"$object": {...}}`                      | a map whose keys may start with `$`     |
 *
 * @module
 */

import { registerRefClass } from "../cluster/codec.ts";
import {
  type ActorId,
  isSerializedObjectRef,
  ObjectHandle,
  type SerializedRef,
} from "../actors/internal.ts";
import { typedArrayClass } from "../base/typed_arrays.ts";

/** A ref as the vectors hold it: its id, type and name, nothing that works. */
export class VectorRef {
  /**
   * @param id The actor id.
   * @param type The actor type.
   * @param name The actor's name, if any.
   */
  constructor(readonly id: string, readonly type: string, readonly name?: string) {}

  /** The serialized form the codec writes. */
  toJSON(): SerializedRef {
    const s = { $ref: this.id as ActorId, type: this.type };
    return (this.name === undefined ? s : { ...s, name: this.name }) as SerializedRef;
  }
}

registerRefClass(VectorRef);

/** An object ref as the vectors hold it: nothing can read it. */
export class VectorObjectRef extends ObjectHandle<unknown> {
  /**
   * @param id The object's id.
   * @param keeper The id of its holder's keeper actor.
   * @param durable Whether it is durable.
   */
  constructor(id: string, keeper: string, durable: boolean) {
    super({ $object: id, keeper, durable }, {
      get: () => Promise.reject(new Error("a vector's object ref reads nothing")),
      release: () => Promise.resolve(),
    });
  }
}

/**
 * A ref resolver for decoding vectors: refs come back as {@linkcode VectorRef}s,
 * object refs as {@linkcode VectorObjectRef}s.
 */
export const vectorRefs = (s: SerializedRef): VectorRef | VectorObjectRef =>
  isSerializedObjectRef(s)
    ? new VectorObjectRef(s.$object, s.keeper, s.durable)
    : new VectorRef(s.$ref, s.type, s.name);

/** Hex digits of bytes, lower case, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of hex digits (spaces allowed). */
export function fromHex(hex: string): Uint8Array {
  const digits = hex.replace(/\s+/g, "");
  return Uint8Array.from(
    { length: digits.length / 2 },
    (_, i) => parseInt(digits.slice(2 * i, 2 * i + 2), 16),
  );
}

/** The value a JSON form stands for. */
export function fromTagged(t: unknown): unknown {
  if (Array.isArray(t)) return t.map(fromTagged);
  if (t === null || typeof t !== "object") return t;
  const o = t as Record<string, unknown>;
  if ("$undefined" in o) return undefined;
  if ("$bigint" in o) return BigInt(o.$bigint as string);
  if ("$date" in o) return new Date(o.$date as number);
  if ("$bin" in o) return fromHex(o.$bin as string);
  if ("$typed" in o) {
    const values = (o.values as unknown[]).map((v) => typeof v === "string" ? BigInt(v) : v);
    // A Uint8Array is `bin` on the wire, never a typed-array extension.
    const Class = o.$typed === "Uint8Array" ? undefined : typedArrayClass(o.$typed as string);
    if (Class === undefined) throw new Error(`not a typed-array kind of the vectors: ${o.$typed}`);
    return new (Class as unknown as new (values: unknown[]) => ArrayBufferView)(values);
  }
  if ("$set" in o) return new Set((o.$set as unknown[]).map(fromTagged));
  if ("$map" in o) {
    return new Map(
      (o.$map as [unknown, unknown][]).map(([k, v]) => [fromTagged(k), fromTagged(v)]),
    );
  }
  if ("$objectRef" in o) {
    return new VectorObjectRef(o.$objectRef as string, o.keeper as string, o.durable as boolean);
  }
  if ("$ref" in o) return new VectorRef(o.$ref as string, o.type as string, o.name as string);
  const fields = "$object" in o ? o.$object as Record<string, unknown> : o;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fromTagged(v)]));
}

/** The JSON form of a value. */
export function toTagged(v: unknown): unknown {
  if (v === undefined) return { $undefined: true };
  if (typeof v === "bigint") return { $bigint: v.toString() };
  if (Array.isArray(v)) return v.map(toTagged);
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Date) return { $date: v.getTime() };
  if (v instanceof Uint8Array && v.constructor === Uint8Array) return { $bin: toHex(v) };
  if (ArrayBuffer.isView(v)) {
    const values = Array.from(
      v as unknown as ArrayLike<number | bigint>,
      (x) => typeof x === "bigint" ? x.toString() : x,
    );
    return { $typed: v.constructor.name, values };
  }
  if (v instanceof Set) return { $set: [...v].map(toTagged) };
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [toTagged(k), toTagged(x)]) };
  if (v instanceof ObjectHandle) return { $objectRef: v.id, keeper: v.keeper, durable: v.durable };
  if (v instanceof VectorRef) {
    return v.name === undefined
      ? { $ref: v.id, type: v.type }
      : { $ref: v.id, type: v.type, name: v.name };
  }
  const entries = Object.entries(v).map(([k, x]) => [k, toTagged(x)] as const);
  const fields = Object.fromEntries(entries);
  return Object.keys(fields).some((k) => k.startsWith("$")) ? { $object: fields } : fields;
}
