/**
 * The v2 value encoder: standard MessagePack in its smallest forms, plus the
 * self-contained extensions of `value_extensions.ts`. Integers that are safe
 * JavaScript integers are written as MessagePack integers (up to `uint 64` /
 * `int 64`), every other number as `float 64`.
 *
 * @module
 */

import { UnencodableValueError } from "./errors.ts";
import { ELEMENT_CODE, EXTENSION, LITTLE_ENDIAN_HOST, swapBytes } from "./value_extensions.ts";
import { DEFAULT_DECODE_BOUNDS } from "./decode_bounds.ts";
import { describeWireError } from "./wire_errors.ts";

/** A class whose instances travel as actor refs. */
export type RefClass = new (...args: never[]) => { toJSON(): SerializedRefLike };

/** What a ref says of itself. */
export interface SerializedRefLike {
  readonly $ref: string;
  readonly type: string;
  readonly name?: string;
}

/** A value written as an in-process extension (a moved buffer's placeholder). */
export interface LocalExtension {
  /** The class of the values written this way. */
  readonly Class: abstract new (...args: never[]) => unknown;
  /** Its extension type. */
  readonly type: number;
  /** The value its payload holds. */
  readonly write: (value: never) => unknown;
}

const refClasses = new Set<RefClass>();
let localExtensions: readonly LocalExtension[] = [];

/** Teaches every writer a class of refs (written as extension `0x41`). */
export function addRefClass(refClass: RefClass): void {
  refClasses.add(refClass);
}

/** Teaches every writer an in-process extension (read only where it is enabled). */
export function addLocalExtension(extension: LocalExtension): void {
  localExtensions = [...localExtensions, extension];
}

const TWO_32 = 0x1_0000_0000;
const textEncoder = new TextEncoder();

/** Bytes of each buffer the encoded values are cut from. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Writes values one at a time into a buffer it keeps, one after the other:
 * each result is a view of that buffer that is never written again, so a
 * small value costs no allocation of its own (a new buffer is taken when
 * one is full).
 */
export class ValueWriter {
  #bytes = new Uint8Array(CHUNK_BYTES);
  #view = new DataView(this.#bytes.buffer);
  #at = 0;
  #busy = false;

  /** Whether the writer is in the middle of a value (a `toJSON` that encodes). */
  get busy(): boolean {
    return this.#busy;
  }

  /**
   * Encodes one value.
   *
   * @returns Its bytes: a view that nothing writes to again.
   * @throws {UnencodableValueError} For a symbol, or nesting deeper than peers accept.
   */
  encode(value: unknown): Uint8Array {
    if (this.#bytes.byteLength - this.#at < 256) this.#fresh(CHUNK_BYTES);
    const start = this.#at;
    this.#busy = true;
    try {
      this.#write(value, 1);
    } catch (err) {
      this.#at = start;
      throw err;
    } finally {
      this.#busy = false;
    }
    const bytes = this.#bytes.subarray(start, this.#at);
    // A buffer grown for one large value is not kept for the small ones after it.
    if (this.#bytes.byteLength > CHUNK_BYTES) this.#fresh(CHUNK_BYTES);
    return bytes;
  }

  #fresh(size: number): void {
    this.#bytes = new Uint8Array(size);
    this.#view = new DataView(this.#bytes.buffer);
    this.#at = 0;
  }

  #room(bytes: number): void {
    const needed = this.#at + bytes;
    if (needed <= this.#bytes.byteLength) return;
    // Offsets written so far stay valid: the value moves to a larger buffer as it is.
    const grown = new Uint8Array(Math.max(needed, this.#bytes.byteLength * 2));
    grown.set(this.#bytes.subarray(0, this.#at));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  #write(value: unknown, depth: number): void {
    switch (typeof value) {
      case "string":
        return this.#string(value);
      case "number":
        return this.#number(value);
      case "boolean":
        this.#room(1);
        this.#bytes[this.#at++] = value ? 0xc3 : 0xc2;
        return;
      case "undefined":
      case "function":
        this.#room(3);
        this.#bytes[this.#at++] = 0xd4;
        this.#bytes[this.#at++] = EXTENSION.undefined;
        this.#bytes[this.#at++] = 0;
        return;
      case "bigint":
        return this.#bigint(value);
      case "object":
        if (value === null) {
          this.#room(1);
          this.#bytes[this.#at++] = 0xc0;
          return;
        }
        this.#deep(depth);
        return this.#object(value, depth);
      default:
        throw new UnencodableValueError(`a ${typeof value}`);
    }
  }

  #deep(depth: number): void {
    if (depth > DEFAULT_DECODE_BOUNDS.maxDepth) {
      throw new UnencodableValueError(
        `a value nested deeper than ${DEFAULT_DECODE_BOUNDS.maxDepth} levels (or a cycle)`,
      );
    }
  }

  #object(value: object, depth: number): void {
    const ctor = value.constructor;
    if (ctor === Object || ctor === undefined) return this.#map(value, depth);
    if (ctor === Array) return this.#array(value as unknown[], depth);
    if (ArrayBuffer.isView(value)) return this.#typed(value);
    if (refClasses.has(ctor as RefClass)) return this.#ref(value as InstanceType<RefClass>, depth);
    if (value instanceof Date) return this.#date(value);
    if (value instanceof Map || value instanceof Set) this.#deep(depth + 1);
    if (value instanceof Map) {
      const start = this.#extStart();
      this.#mapHeader(value.size);
      for (const [k, v] of value) {
        this.#write(k, depth + 2);
        this.#write(v, depth + 2);
      }
      return this.#extEnd(start, EXTENSION.map);
    }
    if (value instanceof Set) {
      const start = this.#extStart();
      this.#arrayHeader(value.size);
      for (const item of value) this.#write(item, depth + 2);
      return this.#extEnd(start, EXTENSION.set);
    }
    if (value instanceof ArrayBuffer) return this.#bin(new Uint8Array(value));
    if (value instanceof Error) return this.#write(describeWireError(value, false), depth);
    for (const r of refClasses) {
      if (value instanceof r) return this.#ref(value as InstanceType<RefClass>, depth);
    }
    for (const e of localExtensions) {
      if (value instanceof e.Class) {
        const start = this.#extStart();
        this.#write(e.write(value as never), depth + 1);
        return this.#extEnd(start, e.type);
      }
    }
    if (Array.isArray(value)) return this.#array(value, depth);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const json = toJSON.call(value);
      if (json !== value) return this.#write(json, depth + 1);
    }
    return this.#map(value, depth);
  }

  #map(value: object, depth: number): void {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    this.#mapHeader(keys.length);
    for (let i = 0; i < keys.length; i++) {
      this.#string(keys[i]);
      this.#write(record[keys[i]], depth + 1);
    }
  }

  #array(value: readonly unknown[], depth: number): void {
    this.#arrayHeader(value.length);
    for (let i = 0; i < value.length; i++) this.#write(value[i], depth + 1);
  }

  #mapHeader(size: number): void {
    this.#room(5);
    if (size < 16) this.#bytes[this.#at++] = 0x80 | size;
    else this.#sized(size, 0xde, 0xdf);
  }

  #arrayHeader(size: number): void {
    this.#room(5);
    if (size < 16) this.#bytes[this.#at++] = 0x90 | size;
    else this.#sized(size, 0xdc, 0xdd);
  }

  /** A 16- or 32-bit size after its marker. */
  #sized(size: number, marker16: number, marker32: number): void {
    if (size < 0x10000) {
      this.#bytes[this.#at++] = marker16;
      this.#view.setUint16(this.#at, size);
      this.#at += 2;
    } else {
      this.#bytes[this.#at++] = marker32;
      this.#view.setUint32(this.#at, size);
      this.#at += 4;
    }
  }

  #number(n: number): void {
    this.#room(9);
    const b = this.#bytes;
    if (n >>> 0 === n && n < 0x80) {
      b[this.#at++] = n;
    } else if (!Number.isSafeInteger(n)) {
      b[this.#at++] = 0xcb;
      this.#view.setFloat64(this.#at, n);
      this.#at += 8;
    } else if (n >= 0) {
      if (n < 0x80) b[this.#at++] = n;
      else if (n < 0x100) {
        b[this.#at++] = 0xcc;
        b[this.#at++] = n;
      } else if (n < 0x10000) {
        b[this.#at++] = 0xcd;
        this.#view.setUint16(this.#at, n);
        this.#at += 2;
      } else if (n < TWO_32) {
        b[this.#at++] = 0xce;
        this.#view.setUint32(this.#at, n);
        this.#at += 4;
      } else {
        b[this.#at++] = 0xcf;
        this.#view.setUint32(this.#at, Math.floor(n / TWO_32));
        this.#view.setUint32(this.#at + 4, n >>> 0);
        this.#at += 8;
      }
    } else if (n >= -0x20) b[this.#at++] = n & 0xff;
    else if (n >= -0x80) {
      b[this.#at++] = 0xd0;
      b[this.#at++] = n & 0xff;
    } else if (n >= -0x8000) {
      b[this.#at++] = 0xd1;
      this.#view.setInt16(this.#at, n);
      this.#at += 2;
    } else if (n >= -0x8000_0000) {
      b[this.#at++] = 0xd2;
      this.#view.setInt32(this.#at, n);
      this.#at += 4;
    } else {
      const high = Math.floor(n / TWO_32);
      b[this.#at++] = 0xd3;
      this.#view.setInt32(this.#at, high);
      this.#view.setUint32(this.#at + 4, n - high * TWO_32);
      this.#at += 8;
    }
  }

  #string(s: string): void {
    const n = s.length;
    if (n > 64) return this.#longString(s);
    const max = n * 3;
    const header = max < 32 ? 1 : max < 0x100 ? 2 : 3;
    this.#room(header + max);
    const b = this.#bytes;
    const start = this.#at + header;
    let p = start;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[p++] = c;
        continue;
      }
      if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const next = s.charCodeAt(i + 1);
          if (c < 0xdc00 && next >= 0xdc00 && next <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            b[p++] = 0xf0 | (c >> 18);
            b[p++] = 0x80 | ((c >> 12) & 0x3f);
          } else c = 0xfffd; // a lone surrogate, as TextEncoder writes it
        }
        if (c < 0x10000) b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
      }
      b[p++] = 0x80 | (c & 0x3f);
    }
    this.#stringHeader(p - start, header);
  }

  #longString(s: string): void {
    const max = s.length * 3;
    this.#room(5 + max);
    const { written } = textEncoder.encodeInto(s, this.#bytes.subarray(this.#at + 5));
    this.#stringHeader(written, 5);
  }

  /** Writes the header of a string whose bytes were written `reserved` bytes ahead. */
  #stringHeader(length: number, reserved: number): void {
    const header = length < 32 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    const b = this.#bytes;
    if (header !== reserved) {
      b.copyWithin(this.#at + header, this.#at + reserved, this.#at + reserved + length);
    }
    if (header === 1) b[this.#at] = 0xa0 | length;
    else if (header === 2) {
      b[this.#at] = 0xd9;
      b[this.#at + 1] = length;
    } else if (header === 3) {
      b[this.#at] = 0xda;
      this.#view.setUint16(this.#at + 1, length);
    } else {
      b[this.#at] = 0xdb;
      this.#view.setUint32(this.#at + 1, length);
    }
    this.#at += header + length;
  }

  #bin(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    this.#room(5 + n);
    if (n < 0x100) {
      this.#bytes[this.#at++] = 0xc4;
      this.#bytes[this.#at++] = n;
    } else this.#sized(n, 0xc5, 0xc6);
    this.#bytes.set(bytes, this.#at);
    this.#at += n;
  }

  #typed(value: ArrayBufferView): void {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    const code = ELEMENT_CODE.get(value.constructor);
    if (code === undefined || code === 0) return this.#bin(bytes);
    const start = this.#extStart();
    this.#room(1 + bytes.byteLength);
    this.#bytes[this.#at++] = code;
    this.#bytes.set(bytes, this.#at);
    if (!LITTLE_ENDIAN_HOST) {
      const size = (value as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      swapBytes(this.#bytes.subarray(this.#at, this.#at + bytes.byteLength), size);
    }
    this.#at += bytes.byteLength;
    this.#extEnd(start, EXTENSION.typedArray);
  }

  #ref(ref: InstanceType<RefClass>, depth: number): void {
    const s = ref.toJSON();
    const start = this.#extStart();
    this.#write(s.name === undefined ? [s.$ref, s.type] : [s.$ref, s.type, s.name], depth + 1);
    this.#extEnd(start, EXTENSION.ref);
  }

  #bigint(value: bigint): void {
    const negative = value < 0n;
    let hex = (negative ? -value : value).toString(16);
    if (hex.length % 2 === 1) hex = "0" + hex;
    const start = this.#extStart();
    const magnitude = value === 0n ? 0 : hex.length / 2;
    this.#room(1 + magnitude);
    this.#bytes[this.#at++] = negative ? 1 : 0;
    for (let i = 0; i < magnitude; i++) {
      this.#bytes[this.#at++] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    }
    this.#extEnd(start, EXTENSION.bigint);
  }

  #date(date: Date): void {
    const ms = date.getTime();
    if (Number.isNaN(ms)) throw new UnencodableValueError("an invalid Date");
    const seconds = Math.floor(ms / 1000);
    const nanos = (ms - seconds * 1000) * 1_000_000;
    const start = this.#extStart();
    this.#room(12);
    if (nanos === 0 && seconds >= 0 && seconds < TWO_32) {
      this.#view.setUint32(this.#at, seconds);
      this.#at += 4;
    } else if (seconds >= 0 && seconds < 2 ** 34) {
      this.#view.setUint32(this.#at, nanos * 4 + Math.floor(seconds / TWO_32));
      this.#view.setUint32(this.#at + 4, seconds >>> 0);
      this.#at += 8;
    } else {
      this.#view.setUint32(this.#at, nanos);
      this.#view.setBigInt64(this.#at + 4, BigInt(seconds));
      this.#at += 12;
    }
    this.#extEnd(start, EXTENSION.date);
  }

  /** Leaves room for the largest extension header; the payload is written after it. */
  #extStart(): number {
    this.#room(6);
    const start = this.#at;
    this.#at += 6;
    return start;
  }

  /** Writes the smallest header for the payload written since `start`, moving it if needed. */
  #extEnd(start: number, type: number): void {
    const length = this.#at - start - 6;
    const fixed = FIXEXT.get(length);
    const header = fixed !== undefined ? 2 : length < 0x100 ? 3 : length < 0x10000 ? 4 : 6;
    const b = this.#bytes;
    if (header !== 6) b.copyWithin(start + header, start + 6, this.#at);
    if (fixed !== undefined) b[start] = fixed;
    else if (header === 3) {
      b[start] = 0xc7;
      b[start + 1] = length;
    } else if (header === 4) {
      b[start] = 0xc8;
      this.#view.setUint16(start + 1, length);
    } else {
      b[start] = 0xc9;
      this.#view.setUint32(start + 1, length);
    }
    b[start + header - 1] = type & 0xff;
    this.#at = start + header + length;
  }
}

/** The `fixext` marker of each payload length that has one. */
const FIXEXT = new Map([[1, 0xd4], [2, 0xd5], [4, 0xd6], [8, 0xd7], [16, 0xd8]]);
