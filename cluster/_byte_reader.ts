/**
 * The byte level of the v2 value decoder (`_value_reader.ts`): a position in
 * the bytes and an end that no read passes (a value that would is
 * `truncated`), and the MessagePack forms of integers, floats, strings and
 * `bin`. Integers are numbers when they are safe integers, `bigint` beyond.
 *
 * @module
 */

import { refuse } from "./_extension_readers.ts";
import { SHORT_STRING_BYTES, shortAsciiString } from "./_short_strings.ts";

const TWO_32 = 0x1_0000_0000;
const textDecoder = new TextDecoder();

/** Reads MessagePack forms from one buffer, from {@linkcode at} up to {@linkcode end}. */
export class ByteReader {
  /** The bytes read. */
  protected readonly bytes: Uint8Array;
  /** Where the next byte is read. */
  protected at = 0;
  /** Where the bytes end for the value being read (an extension's payload ends before the buffer). */
  protected end: number;
  /** A view of the bytes for floats and 64-bit integers, made when one is read. */
  #view: DataView | undefined;
  /**
   * Whether `bin` values and aligned typed arrays are read as views of the
   * bytes rather than copies: only for bytes that belong to the values read
   * (a reassembled chunked envelope), never for a batch the transport owns.
   */
  views = false;

  /** @param bytes The bytes to read. */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.end = bytes.byteLength;
  }

  /** Refuses as `truncated` unless `bytes` more bytes are there. */
  protected need(bytes: number): void {
    if (this.at + bytes > this.end) refuse("truncated", `a value ends past byte ${this.end}`);
  }

  /** An unsigned integer of 1, 2 or 4 bytes, big-endian. */
  protected uint(bytes: number): number {
    this.need(bytes);
    const at = this.at;
    this.at += bytes;
    const b = this.bytes;
    if (bytes === 1) return b[at];
    if (bytes === 2) return (b[at] << 8) | b[at + 1];
    return this.#u32(at);
  }

  /** A signed integer of 1, 2 or 4 bytes, big-endian. */
  protected int(bytes: number): number {
    this.need(bytes);
    const at = this.at;
    this.at += bytes;
    const b = this.bytes;
    if (bytes === 1) return (b[at] << 24) >> 24;
    if (bytes === 2) return ((b[at] << 24) >> 16) | b[at + 1];
    return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
  }

  /** A float of 4 or 8 bytes. */
  protected float(bytes: 4 | 8): number {
    this.need(bytes);
    const at = (this.at += bytes) - bytes;
    return bytes === 4 ? this.#dataView().getFloat32(at) : this.#dataView().getFloat64(at);
  }

  protected uint64(): number | bigint {
    this.need(8);
    const high = this.#u32(this.at);
    const low = this.#u32(this.at + 4);
    this.at += 8;
    return high < 0x20_0000 ? high * TWO_32 + low : this.#dataView().getBigUint64(this.at - 8);
  }

  protected int64(): number | bigint {
    this.need(8);
    const high = this.#u32(this.at) | 0;
    const low = this.#u32(this.at + 4);
    this.at += 8;
    const n = high * TWO_32 + low;
    return Number.isSafeInteger(n) ? n : this.#dataView().getBigInt64(this.at - 8);
  }

  /** A string of `length` bytes of UTF-8 (a short ASCII one through the table of `_short_strings.ts`). */
  protected string(length: number): string {
    this.need(length);
    const start = this.at;
    const end = start + length;
    this.at = end;
    if (length <= SHORT_STRING_BYTES) {
      const s = shortAsciiString(this.bytes, start, end);
      if (s !== undefined) return s;
    }
    return textDecoder.decode(this.bytes.subarray(start, end));
  }

  /** `bin` of `length` bytes: a copy (a view when {@linkcode views}). */
  protected bin(length: number): Uint8Array {
    this.need(length);
    this.at += length;
    return this.views
      ? this.bytes.subarray(this.at - length, this.at)
      : this.bytes.slice(this.at - length, this.at);
  }

  /** The unsigned 32-bit integer at `at`, big-endian. */
  #u32(at: number): number {
    const b = this.bytes;
    return b[at] * 0x100_0000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
  }

  #dataView(): DataView {
    const b = this.bytes;
    return this.#view ??= new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}
