/**
 * The v2 value decoder: standard MessagePack plus the extensions of
 * `value_extensions.ts`, nothing else, within {@linkcode DecodeBounds} (the
 * byte level is `_byte_reader.ts`).
 * Maps become plain objects (string keys; number keys become their decimal
 * string); a key `__proto__` becomes an own field and changes no prototype.
 *
 * @module
 */

import type { DecodeBounds } from "./decode_bounds.ts";
import { EXTENSION } from "./value_extensions.ts";
import { readBigint, readDate, readTyped, refFromPayload, refuse } from "./_extension_readers.ts";
import { ByteReader } from "./_byte_reader.ts";
import { objectRefFromPayload } from "./_object_ref_wire.ts";

/** Turns a ref read from the wire (`$ref`, `type`, `name?`) into what the value holds. */
export type RefReader = (serialized: { $ref: string; type: string; name?: string }) => unknown;

/** Reads the payload of an in-process extension (moved buffers); throws when it cannot. */
export type LocalExtensionReader = (type: number, payload: unknown) => unknown;

/** Reads values one after the other from one buffer (a batch, or one value). */
export class ValueReader extends ByteReader {
  readonly #bounds: DecodeBounds;
  readonly #refs: RefReader;
  readonly #local: LocalExtensionReader | undefined;
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
    super(bytes);
    this.#bounds = bounds;
    this.#refs = refs;
    this.#local = local;
  }

  /** Where the next value starts. */
  get offset(): number {
    return this.at;
  }

  /** Moves to `offset` (past a refused value). */
  set offset(offset: number) {
    this.at = offset;
  }

  /**
   * Reads the value at {@linkcode offset} and moves past it.
   *
   * @throws {ValueRefusedError} When the value breaks the value layer or a bound.
   */
  read(): unknown {
    return this.#read(1);
  }

  /** The elements of the tell frame {@linkcode readTell} read last (overwritten by the next). */
  readonly lastTell: { to: unknown; name: unknown; body: unknown } = {
    to: undefined,
    name: undefined,
    body: undefined,
  };

  /**
   * Reads the array `[0, to, name, body]` at {@linkcode offset} (a tell frame)
   * into {@linkcode lastTell}, without making it: within the same bounds,
   * counted the same way, as {@linkcode read} reads that array.
   *
   * @returns `false`, having read nothing, when the next value is not such an
   *   array, or a bound refuses it at once: {@linkcode read} reads it then.
   * @throws {ValueRefusedError} As {@linkcode read}, for its elements.
   */
  readTell(): boolean {
    const b = this.bytes;
    const at = this.at;
    // The array and its first element, as `#read(1)` and `#array(4, 1)` would take them.
    if (
      at + 5 > this.end || b[at] !== 0x94 || b[at + 1] !== 0x00 ||
      this.#elements + 2 > this.#bounds.maxBatchElements || this.#bounds.maxDepth < 1 ||
      this.#bounds.maxContainerElements < 4
    ) return false;
    this.#elements += 2;
    this.at = at + 2;
    const tell = this.lastTell;
    tell.to = this.#read(2);
    tell.name = this.#read(2);
    tell.body = this.#read(2);
    return true;
  }

  #read(depth: number): unknown {
    if (++this.#elements > this.#bounds.maxBatchElements) {
      refuse("too-much-work", `more than ${this.#bounds.maxBatchElements} values`);
    }
    this.need(1);
    const head = this.bytes[this.at++];
    if (head < 0x80) return head;
    if (head < 0x90) return this.#map(head & 0x0f, depth);
    if (head < 0xa0) return this.#array(head & 0x0f, depth);
    if (head < 0xc0) return this.string(head & 0x1f);
    if (head >= 0xe0) return head - 0x100;
    switch (head) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.uint(1));
      case 0xc5:
        return this.bin(this.uint(2));
      case 0xc6:
        return this.bin(this.uint(4));
      case 0xc7:
        return this.#ext(this.uint(1), depth);
      case 0xc8:
        return this.#ext(this.uint(2), depth);
      case 0xc9:
        return this.#ext(this.uint(4), depth);
      case 0xca:
        return this.float(4);
      case 0xcb:
        return this.float(8);
      case 0xcc:
      case 0xcd:
      case 0xce:
        return this.uint(1 << (head - 0xcc));
      case 0xcf:
        return this.uint64();
      case 0xd0:
      case 0xd1:
      case 0xd2:
        return this.int(1 << (head - 0xd0));
      case 0xd3:
        return this.int64();
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return this.#ext(1 << (head - 0xd4), depth);
      case 0xd9:
        return this.string(this.uint(1));
      case 0xda:
        return this.string(this.uint(2));
      case 0xdb:
        return this.string(this.uint(4));
      case 0xdc:
        return this.#array(this.uint(2), depth);
      case 0xdd:
        return this.#array(this.uint(4), depth);
      case 0xde:
        return this.#map(this.uint(2), depth);
      case 0xdf:
        return this.#map(this.uint(4), depth);
      default:
        return refuse("undecodable", `byte 0x${head.toString(16)} is not MessagePack`);
    }
  }

  #container(count: number, depth: number, minBytes: number): void {
    if (depth > this.#bounds.maxDepth) {
      refuse("too-deep", `containers nested deeper than ${this.#bounds.maxDepth}`);
    }
    if (count > this.#bounds.maxContainerElements) {
      refuse("too-many-elements", `a container of ${count} elements`);
    }
    this.need(count * minBytes);
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
      const head = this.bytes[this.at];
      let key: unknown;
      if (head >= 0xa0 && head < 0xc0) {
        this.at++;
        key = this.string(head & 0x1f);
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

  #ext(length: number, depth: number): unknown {
    this.need(1 + length);
    const type = (this.bytes[this.at] << 24) >> 24;
    const start = this.at + 1;
    const end = start + length;
    this.at = end;
    switch (type) {
      case EXTENSION.undefined:
        return undefined;
      case EXTENSION.date:
        return readDate(this.bytes, start, length);
      case EXTENSION.bigint:
        return readBigint(this.bytes, start, end);
      case EXTENSION.typedArray:
        return readTyped(this.bytes, start, end, this.views);
      case EXTENSION.ref:
        return this.#refs(refFromPayload(this.#payload(start, end, depth)));
      case EXTENSION.objectRef:
        return this.#refs(objectRefFromPayload(this.#payload(start, end, depth)));
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
    const outer = this.end;
    this.at = start;
    this.end = end;
    try {
      const value = this.#read(depth + 1);
      if (this.at !== end) refuse("undecodable", "an extension payload with bytes left over");
      return value;
    } finally {
      this.end = outer;
      this.at = end;
    }
  }

  #mapExt(start: number, end: number, depth: number): Map<unknown, unknown> {
    const outer = this.end;
    this.at = start;
    this.end = end;
    try {
      this.need(1);
      const head = this.bytes[this.at++];
      const count = head >= 0x80 && head < 0x90
        ? head & 0x0f
        : head === 0xde
        ? this.uint(2)
        : head === 0xdf
        ? this.uint(4)
        : refuse("undecodable", "a Map whose payload is not a map");
      this.#container(count, depth + 1, 2);
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < count; i++) {
        const key = this.#read(depth + 2);
        out.set(key, this.#read(depth + 2));
      }
      if (this.at !== end) refuse("undecodable", "an extension payload with bytes left over");
      return out;
    } finally {
      this.end = outer;
      this.at = end;
    }
  }
}
