/**
 * The MessagePack extension types of protocol v2 (`docs/PROTOCOL.md`,
 * "Values"). Every extension is self-contained: its payload is the whole
 * value, so a standard decoder that does not know one can skip it. Nothing
 * else is accepted from the wire.
 *
 * @module
 */

/** The extension type of each value kind that standard MessagePack has no type for. */
export const EXTENSION = {
  /** `undefined`: `fixext 1`, payload one byte `0x00`. */
  undefined: 0x00,
  /** `Date`: the standard timestamp extension (-1), 4, 8 or 12 bytes. */
  date: -1,
  /** An actor ref: payload a MessagePack array `[id, type]` or `[id, type, name]`. */
  ref: 0x41,
  /** A `bigint`: payload a sign byte (0 or 1 for negative) then the magnitude, big-endian. */
  bigint: 0x42,
  /** An object ref: payload a MessagePack array `[objectId, keeperActorId, durable]`. */
  objectRef: 0x4f,
  /** A moved buffer's placeholder, between the hosts of one process only, never on NATS. */
  moved: 0x4d,
  /** A `Map`: payload one MessagePack map whose keys may be of any type. */
  map: 0x50,
  /** A `Set`: payload one MessagePack array of its members. */
  set: 0x53,
  /** A typed array: payload an element-type byte, then the elements' bytes, little-endian. */
  typedArray: 0x54,
} as const;

/** A typed array's constructor. */
export interface TypedArrayClass {
  /** Makes a view over a whole buffer. */
  new (buffer: ArrayBuffer): ArrayBufferView;
  /** Bytes per element. */
  readonly BYTES_PER_ELEMENT: number;
}

const float16 = (globalThis as { Float16Array?: TypedArrayClass }).Float16Array;

/**
 * The element-type byte of each typed array, first byte of the payload of
 * extension `0x54`. `Uint8Array` travels as `bin` and is never written
 * with code 0, but code 0 is read.
 */
export const ELEMENT_TYPES: readonly (TypedArrayClass | undefined)[] = [
  Uint8Array, // 0
  Int8Array, // 1
  Uint8ClampedArray, // 2
  Int16Array, // 3
  Uint16Array, // 4
  Int32Array, // 5
  Uint32Array, // 6
  Float32Array, // 7
  Float64Array, // 8
  BigInt64Array, // 9
  BigUint64Array, // 10
  float16, // 11, where the runtime has Float16Array
] as unknown as readonly (TypedArrayClass | undefined)[];

/** The element-type byte of a typed array's class; `undefined` for others. */
export const ELEMENT_CODE: ReadonlyMap<unknown, number> = new Map(
  ELEMENT_TYPES.flatMap((c, code) => c === undefined ? [] : [[c, code] as const]),
);

/** Whether this host stores numbers little-endian (then typed arrays are copied as they are). */
export const LITTLE_ENDIAN_HOST: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reverses the byte order of each element in place (for big-endian hosts).
 *
 * @param bytes The elements' bytes.
 * @param elementBytes The size of one element.
 */
export function swapBytes(bytes: Uint8Array, elementBytes: number): void {
  if (elementBytes === 1) return;
  for (let i = 0; i + elementBytes <= bytes.length; i += elementBytes) {
    bytes.subarray(i, i + elementBytes).reverse();
  }
}
