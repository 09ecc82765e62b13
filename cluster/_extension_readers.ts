/**
 * Reading the payloads of the extensions whose payload is bytes rather than
 * a MessagePack value (`value_extensions.ts`): timestamps, bigints and
 * typed arrays; and checking the value a ref's payload holds. Each refuses
 * what is not one.
 *
 * @module
 */

import { type ValueRefusal, ValueRefusedError } from "./errors.ts";
import { ELEMENT_TYPES, LITTLE_ENDIAN_HOST, swapBytes } from "./value_extensions.ts";

const TWO_32 = 0x1_0000_0000;

/** Throws the refusal of a value. */
export const refuse = (reason: ValueRefusal, detail: string): never => {
  throw new ValueRefusedError(reason, detail);
};

/** The standard timestamp extension (-1): 4, 8 or 12 bytes from `start`. */
export function readDate(bytes: Uint8Array, start: number, length: number): Date {
  const v = new DataView(bytes.buffer, bytes.byteOffset + start, length);
  if (length === 4) return new Date(v.getUint32(0) * 1000);
  if (length === 8) {
    const first = v.getUint32(0);
    const seconds = (first & 0x3) * TWO_32 + v.getUint32(4);
    return new Date(seconds * 1000 + Math.floor((first >>> 2) / 1_000_000));
  }
  if (length === 12) {
    const seconds = Number(v.getBigInt64(4));
    return new Date(seconds * 1000 + Math.floor(v.getUint32(0) / 1_000_000));
  }
  return refuse("undecodable", `a timestamp of ${length} bytes`);
}

/** A bigint: a sign byte (0, or 1 for negative), then the magnitude, big-endian. */
export function readBigint(bytes: Uint8Array, start: number, end: number): bigint {
  const sign = bytes[start];
  if (sign > 1) return refuse("undecodable", "a bigint whose sign byte is not 0 or 1");
  let hex = "";
  for (let i = start + 1; i < end; i++) hex += bytes[i].toString(16).padStart(2, "0");
  const magnitude = hex === "" ? 0n : BigInt("0x" + hex);
  return sign === 1 ? -magnitude : magnitude;
}

/**
 * A typed array: an element-type byte, then the elements, little-endian.
 *
 * @param view Whether a view of `bytes` may be returned (when the elements are aligned
 *   and little-endian): the bytes then belong to the value alone.
 */
export function readTyped(
  bytes: Uint8Array,
  start: number,
  end: number,
  view = false,
): ArrayBufferView {
  const Class = ELEMENT_TYPES[bytes[start]];
  if (Class === undefined) {
    return refuse("undecodable", `a typed array of element type ${bytes[start]}`);
  }
  const size = Class.BYTES_PER_ELEMENT;
  if ((end - start - 1) % size !== 0) {
    return refuse("undecodable", "a typed array whose length is not a whole number of elements");
  }
  const offset = bytes.byteOffset + start + 1;
  if (view && LITTLE_ENDIAN_HOST && offset % size === 0) {
    return new (Class as unknown as new (
      b: ArrayBufferLike,
      o: number,
      n: number,
    ) => ArrayBufferView)(
      bytes.buffer,
      offset,
      (end - start - 1) / size,
    );
  }
  // One copy into memory of its own: aligned, and independent of the batch.
  const copy = bytes.slice(start + 1, end);
  if (!LITTLE_ENDIAN_HOST) swapBytes(copy, size);
  return new Class(copy.buffer);
}

/** The serialized ref a ref extension's payload holds: `[id, type]` or `[id, type, name]`. */
export function refFromPayload(s: unknown): { $ref: string; type: string; name?: string } {
  if (
    !Array.isArray(s) || (s.length !== 2 && s.length !== 3) || typeof s[0] !== "string" ||
    typeof s[1] !== "string" || (s.length === 3 && typeof s[2] !== "string")
  ) return refuse("undecodable", "a ref that is not [id, type] or [id, type, name]");
  return s.length === 3 ? { $ref: s[0], type: s[1], name: s[2] } : { $ref: s[0], type: s[1] };
}
