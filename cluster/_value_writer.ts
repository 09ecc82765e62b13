/**
 * The v2 value encoder: standard MessagePack in its smallest forms (the
 * byte level is `_byte_writer.ts`), plus the self-contained extensions of
 * `value_extensions.ts`.
 *
 * @module
 */

import { UnencodableValueError } from "./errors.ts";
import { ELEMENT_CODE, EXTENSION, LITTLE_ENDIAN_HOST, swapBytes } from "./value_extensions.ts";
import { DEFAULT_DECODE_BOUNDS } from "./decode_bounds.ts";
import { describeWireError } from "./wire_errors.ts";
import { ByteWriter } from "./_byte_writer.ts";

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

/**
 * Writes values one after the other into a buffer it keeps ({@linkcode append}):
 * the value level of the encoder. What the bytes are for is a subclass's
 * business: {@linkcode ValueEncoder} cuts each value from the buffer, a
 * batch keeps them one after the other.
 */
export class ValueWriter extends ByteWriter {
  #busy = false;
  /**
   * Typed arrays and `bin` of at least this many bytes are not copied: their
   * header is written, and their bytes are left where they are, named in
   * {@linkcode spills} (a writer whose output is sent in pieces takes them from there).
   */
  protected spillMinBytes = Infinity;
  /** The bytes left out so far: where they belong in the buffer, and them. */
  protected spills: { at: number; bytes: Uint8Array }[] = [];

  /**
   * Called before an in-process extension (such as an object ref) is
   * written, with its type: it throws to refuse it (the value is then not
   * written at all), as for a peer that does not read that extension.
   */
  extensionGate: ((type: number) => void) | undefined = undefined;

  /** Whether the writer is in the middle of a value (a `toJSON` that encodes). */
  get busy(): boolean {
    return this.#busy;
  }

  /**
   * Writes one value after those written before.
   *
   * @throws {UnencodableValueError} For a symbol, or nesting deeper than peers accept; then
   *   nothing of the value is kept.
   */
  protected append(value: unknown): void {
    const start = this.at;
    this.#busy = true;
    try {
      this.#write(value, 1);
    } catch (err) {
      this.at = start;
      while (this.spills.length > 0 && this.spills[this.spills.length - 1].at > start) {
        this.spills.pop();
      }
      throw err;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Writes the array `[e0, e1, e2, ...]` of `count` (3 to 6) elements after
   * those written before, as {@linkcode append} writes that array, without
   * making it (the frames sent most).
   *
   * @throws {UnencodableValueError} As {@linkcode append}; then nothing of it is kept.
   */
  protected appendArray(
    count: 3 | 4 | 5 | 6,
    e0: unknown,
    e1: unknown,
    e2: unknown,
    e3?: unknown,
    e4?: unknown,
    e5?: unknown,
  ): void {
    const start = this.at;
    this.#busy = true;
    try {
      // The array is level 1, its elements level 2.
      this.arrayHeader(count);
      this.#write(e0, 2);
      this.#write(e1, 2);
      this.#write(e2, 2);
      if (count > 3) this.#write(e3, 2);
      if (count > 4) this.#write(e4, 2);
      if (count > 5) this.#write(e5, 2);
    } catch (err) {
      this.at = start;
      while (this.spills.length > 0 && this.spills[this.spills.length - 1].at > start) {
        this.spills.pop();
      }
      throw err;
    } finally {
      this.#busy = false;
    }
  }

  #write(value: unknown, depth: number): void {
    switch (typeof value) {
      case "string":
        return this.string(value);
      case "number":
        return this.number(value);
      case "boolean":
        this.room(1);
        this.buffer[this.at++] = value ? 0xc3 : 0xc2;
        return;
      case "undefined":
      case "function":
        this.room(3);
        this.buffer[this.at++] = 0xd4;
        this.buffer[this.at++] = EXTENSION.undefined;
        this.buffer[this.at++] = 0;
        return;
      case "bigint":
        return this.#bigint(value);
      case "object":
        if (value === null) {
          this.room(1);
          this.buffer[this.at++] = 0xc0;
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
      const start = this.extStart();
      this.mapHeader(value.size);
      for (const [k, v] of value) {
        this.#write(k, depth + 2);
        this.#write(v, depth + 2);
      }
      return this.extEnd(start, EXTENSION.map);
    }
    if (value instanceof Set) {
      const start = this.extStart();
      this.arrayHeader(value.size);
      for (const item of value) this.#write(item, depth + 2);
      return this.extEnd(start, EXTENSION.set);
    }
    if (value instanceof ArrayBuffer) return this.bin(new Uint8Array(value));
    if (value instanceof Error) return this.#write(describeWireError(value, false), depth);
    for (const r of refClasses) {
      if (value instanceof r) return this.#ref(value as InstanceType<RefClass>, depth);
    }
    for (const e of localExtensions) {
      if (value instanceof e.Class) {
        this.extensionGate?.(e.type);
        const start = this.extStart();
        this.#write(e.write(value as never), depth + 1);
        return this.extEnd(start, e.type);
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
    this.mapHeader(keys.length);
    for (let i = 0; i < keys.length; i++) {
      this.string(keys[i]);
      this.#write(record[keys[i]], depth + 1);
    }
  }

  #array(value: readonly unknown[], depth: number): void {
    this.arrayHeader(value.length);
    for (let i = 0; i < value.length; i++) this.#write(value[i], depth + 1);
  }

  /** `bin`, left out when it is large (see {@linkcode spillMinBytes}). */
  protected override bin(bytes: Uint8Array): void {
    if (bytes.byteLength < this.spillMinBytes) return super.bin(bytes);
    this.room(5);
    this.buffer[this.at] = 0xc6;
    this.u32(this.at + 1, bytes.byteLength);
    this.at += 5;
    this.spills.push({ at: this.at, bytes });
  }

  #typed(value: ArrayBufferView): void {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    const code = ELEMENT_CODE.get(value.constructor);
    if (code === undefined || code === 0) return this.bin(bytes);
    if (bytes.byteLength >= this.spillMinBytes && LITTLE_ENDIAN_HOST) {
      // ext 32: the payload is the element-type byte and the elements.
      this.room(7);
      this.buffer[this.at] = 0xc9;
      this.u32(this.at + 1, bytes.byteLength + 1);
      this.buffer[this.at + 5] = EXTENSION.typedArray;
      this.buffer[this.at + 6] = code;
      this.at += 7;
      this.spills.push({ at: this.at, bytes });
      return;
    }
    const start = this.extStart();
    this.room(1 + bytes.byteLength);
    this.buffer[this.at++] = code;
    this.buffer.set(bytes, this.at);
    if (!LITTLE_ENDIAN_HOST) {
      const size = (value as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      swapBytes(this.buffer.subarray(this.at, this.at + bytes.byteLength), size);
    }
    this.at += bytes.byteLength;
    this.extEnd(start, EXTENSION.typedArray);
  }

  #ref(ref: InstanceType<RefClass>, depth: number): void {
    const s = ref.toJSON();
    const start = this.extStart();
    this.#write(s.name === undefined ? [s.$ref, s.type] : [s.$ref, s.type, s.name], depth + 1);
    this.extEnd(start, EXTENSION.ref);
  }

  #bigint(value: bigint): void {
    const negative = value < 0n;
    let hex = (negative ? -value : value).toString(16);
    if (hex.length % 2 === 1) hex = "0" + hex;
    const start = this.extStart();
    const magnitude = value === 0n ? 0 : hex.length / 2;
    this.room(1 + magnitude);
    this.buffer[this.at++] = negative ? 1 : 0;
    for (let i = 0; i < magnitude; i++) {
      this.buffer[this.at++] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    }
    this.extEnd(start, EXTENSION.bigint);
  }

  #date(date: Date): void {
    const ms = date.getTime();
    if (Number.isNaN(ms)) throw new UnencodableValueError("an invalid Date");
    const seconds = Math.floor(ms / 1000);
    const nanos = (ms - seconds * 1000) * 1_000_000;
    const start = this.extStart();
    this.room(12);
    if (nanos === 0 && seconds >= 0 && seconds < TWO_32) {
      this.u32(this.at, seconds);
      this.at += 4;
    } else if (seconds >= 0 && seconds < 2 ** 34) {
      this.u32(this.at, nanos * 4 + Math.floor(seconds / TWO_32));
      this.u32(this.at + 4, seconds >>> 0);
      this.at += 8;
    } else {
      this.u32(this.at, nanos);
      this.i64(this.at + 4, BigInt(seconds));
      this.at += 12;
    }
    this.extEnd(start, EXTENSION.date);
  }
}

/** Bytes of each buffer the encoded values are cut from. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Encodes values one at a time, each cut from a buffer it keeps: a view that
 * is never written again, so a small value costs no allocation of its own (a
 * new buffer is taken when one is full).
 */
export class ValueEncoder extends ValueWriter {
  constructor() {
    super(CHUNK_BYTES);
  }

  /**
   * Encodes one value.
   *
   * @returns Its bytes: a view that nothing writes to again.
   * @throws {UnencodableValueError} For a symbol, or nesting deeper than peers accept.
   */
  encode(value: unknown): Uint8Array {
    if (this.buffer.byteLength - this.at < 256) this.fresh(CHUNK_BYTES);
    const start = this.at;
    this.append(value);
    const bytes = this.buffer.subarray(start, this.at);
    // A buffer grown for one large value is not kept for the small ones after it.
    if (this.buffer.byteLength > CHUNK_BYTES) this.fresh(CHUNK_BYTES);
    return bytes;
  }
}
