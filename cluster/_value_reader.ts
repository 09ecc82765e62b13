/**
 * The v2 value decoder: standard MessagePack plus the extensions of
 * `value_extensions.ts`, nothing else, within {@linkcode DecodeBounds}.
 * Integers are numbers when they are safe integers, `bigint` beyond.
 * Maps become plain objects (string keys; number keys become their decimal
 * string); a key `__proto__` becomes an own field and changes no prototype.
 *
 * @module
 */

import { type ValueRefusal, ValueRefusedError } from "./errors.ts";
import type { DecodeBounds } from "./decode_bounds.ts";
import { ELEMENT_TYPES, EXTENSION, LITTLE_ENDIAN_HOST, swapBytes } from "./value_extensions.ts";

/** Turns a ref read from the wire (`$ref`, `type`, `name?`) into what the value holds. */
export type RefReader = (serialized: { $ref: string; type: string; name?: string }) => unknown;

/** Reads the payload of an in-process extension (moved buffers); throws when it cannot. */
export type LocalExtensionReader = (type: number, payload: unknown) => unknown;

const TWO_32 = 0x1_0000_0000;
const textDecoder = new TextDecoder();

const refuse = (reason: ValueRefusal, detail: string): never => {
  throw new ValueRefusedError(reason, detail);
};

/** Reads values one after the other from one buffer (a batch, or one value). */
export class ValueReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #bounds: DecodeBounds;
  readonly #refs: RefReader;
  readonly #local: LocalExtensionReader | undefined;
  #at = 0;
  #end: number;
  #elements = 0;

  /**
   * @param bytes The bytes to read.
   * @param bounds The bounds (`maxBatchElements` counts over everything this reader reads).
   * @param refs Makes the value of each ref read.
   * @param local Reads in-process extensions; without it they are refused as unknown.
   */
  constructor(
    bytes: Uint8Array,
    bounds: DecodeBounds,
    refs: RefReader,
    local?: LocalExtensionReader,
  ) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#bounds = bounds;
    this.#refs = refs;
    this.#local = local;
    this.#end = bytes.byteLength;
  }

  /** Where the next value starts. */
  get offset(): number {
    return this.#at;
  }

  /** Moves to `offset` (past a refused value). */
  set offset(offset: number) {
    this.#at = offset;
  }

  /**
   * Reads the value at {@linkcode offset} and moves past it.
   *
   * @throws {ValueRefusedError} When the value breaks the value layer or a bound.
   */
  read(): unknown {
    return this.#read(1);
  }

  #need(bytes: number): void {
    if (this.#at + bytes > this.#end) refuse("truncated", `a value ends past byte ${this.#end}`);
  }

  #read(depth: number): unknown {
    if (++this.#elements > this.#bounds.maxBatchElements) {
      refuse("too-much-work", `more than ${this.#bounds.maxBatchElements} values`);
    }
    this.#need(1);
    const head = this.#bytes[this.#at++];
    if (head < 0x80) return head;
    if (head < 0x90) return this.#map(head & 0x0f, depth);
    if (head < 0xa0) return this.#array(head & 0x0f, depth);
    if (head < 0xc0) return this.#string(head & 0x1f);
    if (head >= 0xe0) return head - 0x100;
    const v = this.#view;
    switch (head) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.#bin(this.#uint(1));
      case 0xc5:
        return this.#bin(this.#uint(2));
      case 0xc6:
        return this.#bin(this.#uint(4));
      case 0xc7:
        return this.#ext(this.#uint(1), depth);
      case 0xc8:
        return this.#ext(this.#uint(2), depth);
      case 0xc9:
        return this.#ext(this.#uint(4), depth);
      case 0xca:
        this.#need(4);
        return v.getFloat32((this.#at += 4) - 4);
      case 0xcb:
        this.#need(8);
        return v.getFloat64((this.#at += 8) - 8);
      case 0xcc:
      case 0xcd:
      case 0xce:
        return this.#uint(1 << (head - 0xcc));
      case 0xcf:
        return this.#uint64();
      case 0xd0:
        this.#need(1);
        return v.getInt8(this.#at++);
      case 0xd1:
        this.#need(2);
        return v.getInt16((this.#at += 2) - 2);
      case 0xd2:
        this.#need(4);
        return v.getInt32((this.#at += 4) - 4);
      case 0xd3:
        return this.#int64();
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return this.#ext(1 << (head - 0xd4), depth);
      case 0xd9:
        return this.#string(this.#uint(1));
      case 0xda:
        return this.#string(this.#uint(2));
      case 0xdb:
        return this.#string(this.#uint(4));
      case 0xdc:
        return this.#array(this.#uint(2), depth);
      case 0xdd:
        return this.#array(this.#uint(4), depth);
      case 0xde:
        return this.#map(this.#uint(2), depth);
      case 0xdf:
        return this.#map(this.#uint(4), depth);
      default:
        return refuse("undecodable", `byte 0x${head.toString(16)} is not MessagePack`);
    }
  }

  #uint(bytes: number): number {
    this.#need(bytes);
    const at = this.#at;
    this.#at += bytes;
    if (bytes === 1) return this.#bytes[at];
    if (bytes === 2) return this.#view.getUint16(at);
    return this.#view.getUint32(at);
  }

  #uint64(): number | bigint {
    this.#need(8);
    const high = this.#view.getUint32(this.#at);
    const low = this.#view.getUint32(this.#at + 4);
    this.#at += 8;
    return high < 0x20_0000 ? high * TWO_32 + low : this.#view.getBigUint64(this.#at - 8);
  }

  #int64(): number | bigint {
    this.#need(8);
    const high = this.#view.getInt32(this.#at);
    const low = this.#view.getUint32(this.#at + 4);
    this.#at += 8;
    const n = high * TWO_32 + low;
    return Number.isSafeInteger(n) ? n : this.#view.getBigInt64(this.#at - 8);
  }

  #container(count: number, depth: number, minBytes: number): void {
    if (depth > this.#bounds.maxDepth) {
      refuse("too-deep", `containers nested deeper than ${this.#bounds.maxDepth}`);
    }
    if (count > this.#bounds.maxContainerElements) {
      refuse("too-many-elements", `a container of ${count} elements`);
    }
    this.#need(count * minBytes);
  }

  #array(count: number, depth: number): unknown[] {
    this.#container(count, depth, 1);
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#read(depth + 1);
    return out;
  }

  #map(count: number, depth: number): Record<string, unknown> {
    this.#container(count, depth, 2);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const head = this.#bytes[this.#at];
      let key: unknown;
      if (head >= 0xa0 && head < 0xc0) {
        this.#at++;
        key = this.#string(head & 0x1f);
      } else key = this.#read(depth + 1);
      if (typeof key === "number") key = String(key);
      else if (typeof key !== "string") refuse("undecodable", "a map key that is not a string");
      const value = this.#read(depth + 1);
      if (key === "__proto__") {
        Object.defineProperty(out, key, { value, enumerable: true, writable: true });
      } else out[key as string] = value;
    }
    return out;
  }

  #string(length: number): string {
    this.#need(length);
    const b = this.#bytes;
    const start = this.#at;
    const end = start + length;
    this.#at = end;
    if (length < 24) {
      let s = "";
      for (let i = start; i < end; i++) {
        const c = b[i];
        if (c >= 0x80) return textDecoder.decode(b.subarray(start, end));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return textDecoder.decode(b.subarray(start, end));
  }

  #bin(length: number): Uint8Array {
    this.#need(length);
    this.#at += length;
    return this.#bytes.slice(this.#at - length, this.#at);
  }

  #ext(length: number, depth: number): unknown {
    this.#need(1 + length);
    const type = this.#view.getInt8(this.#at);
    const start = this.#at + 1;
    const end = start + length;
    this.#at = end;
    switch (type) {
      case EXTENSION.undefined:
        return undefined;
      case EXTENSION.date:
        return this.#date(start, length);
      case EXTENSION.bigint:
        return this.#bigint(start, end);
      case EXTENSION.typedArray:
        return this.#typed(start, end);
      case EXTENSION.ref: {
        const s = this.#payload(start, end, depth);
        if (
          !Array.isArray(s) || (s.length !== 2 && s.length !== 3) || typeof s[0] !== "string" ||
          typeof s[1] !== "string" || (s.length === 3 && typeof s[2] !== "string")
        ) return refuse("undecodable", "a ref that is not [id, type] or [id, type, name]");
        return this.#refs(
          s.length === 3 ? { $ref: s[0], type: s[1], name: s[2] } : {
            $ref: s[0],
            type: s[1],
          },
        );
      }
      case EXTENSION.set: {
        const items = this.#payload(start, end, depth);
        if (!Array.isArray(items)) return refuse("undecodable", "a Set that is not an array");
        return new Set(items);
      }
      case EXTENSION.map:
        return this.#mapExt(start, end, depth);
      default:
        if (this.#local !== undefined && type === EXTENSION.moved) {
          return this.#local(type, this.#payload(start, end, depth));
        }
        return refuse(
          "unknown-extension",
          `extension type ${type} (0x${(type & 0xff).toString(16)})`,
        );
    }
  }

  /** Reads the one value an extension's payload holds, which must fill it exactly. */
  #payload(start: number, end: number, depth: number): unknown {
    const outer = this.#end;
    this.#at = start;
    this.#end = end;
    try {
      const value = this.#read(depth + 1);
      if (this.#at !== end) refuse("undecodable", "an extension payload with bytes left over");
      return value;
    } finally {
      this.#end = outer;
      this.#at = end;
    }
  }

  #mapExt(start: number, end: number, depth: number): Map<unknown, unknown> {
    const outer = this.#end;
    this.#at = start;
    this.#end = end;
    try {
      this.#need(1);
      const head = this.#bytes[this.#at++];
      const count = head >= 0x80 && head < 0x90
        ? head & 0x0f
        : head === 0xde
        ? this.#uint(2)
        : head === 0xdf
        ? this.#uint(4)
        : refuse("undecodable", "a Map whose payload is not a map");
      this.#container(count, depth + 1, 2);
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < count; i++) {
        const key = this.#read(depth + 2);
        out.set(key, this.#read(depth + 2));
      }
      if (this.#at !== end) refuse("undecodable", "an extension payload with bytes left over");
      return out;
    } finally {
      this.#end = outer;
      this.#at = end;
    }
  }

  #date(start: number, length: number): Date {
    const v = this.#view;
    if (length === 4) return new Date(v.getUint32(start) * 1000);
    if (length === 8) {
      const first = v.getUint32(start);
      const seconds = (first & 0x3) * TWO_32 + v.getUint32(start + 4);
      return new Date(seconds * 1000 + Math.floor((first >>> 2) / 1_000_000));
    }
    if (length === 12) {
      const seconds = Number(v.getBigInt64(start + 4));
      return new Date(seconds * 1000 + Math.floor(v.getUint32(start) / 1_000_000));
    }
    return refuse("undecodable", `a timestamp of ${length} bytes`);
  }

  #bigint(start: number, end: number): bigint {
    const sign = this.#bytes[start];
    if (sign > 1) return refuse("undecodable", "a bigint whose sign byte is not 0 or 1");
    let hex = "";
    for (let i = start + 1; i < end; i++) hex += this.#bytes[i].toString(16).padStart(2, "0");
    const magnitude = hex === "" ? 0n : BigInt("0x" + hex);
    return sign === 1 ? -magnitude : magnitude;
  }

  #typed(start: number, end: number): ArrayBufferView {
    const Class = ELEMENT_TYPES[this.#bytes[start]];
    if (Class === undefined) {
      return refuse("undecodable", `a typed array of element type ${this.#bytes[start]}`);
    }
    const size = Class.BYTES_PER_ELEMENT;
    if ((end - start - 1) % size !== 0) {
      return refuse("undecodable", "a typed array whose length is not a whole number of elements");
    }
    // One copy into memory of its own: aligned, and independent of the batch.
    const copy = this.#bytes.slice(start + 1, end);
    if (!LITTLE_ENDIAN_HOST) swapBytes(copy, size);
    return new Class(copy.buffer);
  }
}
