/**
 * The byte level of the v2 value encoder (`_value_writer.ts`): a buffer
 * that grows, and the MessagePack forms of numbers, strings, container
 * headers, `bin` and extension headers, each in its smallest form. Integers
 * that are safe JavaScript integers are written as MessagePack integers (up
 * to `uint 64` / `int 64`), every other number as `float 64`.
 *
 * @module
 */

const TWO_32 = 0x1_0000_0000;
const textEncoder = new TextEncoder();
/** Where a float or a 64-bit integer is laid out before its bytes are copied (no view per buffer). */
const scratch = new DataView(new ArrayBuffer(8));

/** Strings shorter than this are written by a loop over their characters, longer ones by `TextEncoder` (measured faster from about 64). */
const LOOP_STRING_CHARS = 64;

/** Writes MessagePack forms into a buffer it owns, from {@linkcode at} on. */
export class ByteWriter {
  /** The buffer (replaced by a larger one when it is full). */
  protected buffer: Uint8Array;
  /** Where the next byte goes. */
  protected at = 0;

  /** @param size The buffer's first size, in bytes. */
  constructor(size: number) {
    this.buffer = new Uint8Array(size);
  }

  /** Starts over in a new buffer of `size` bytes (what was written stays in the old one). */
  protected fresh(size: number): void {
    this.buffer = new Uint8Array(size);
    this.at = 0;
  }

  /** Makes room for `bytes` more bytes; offsets written so far stay valid. */
  protected room(bytes: number): void {
    if (this.at + bytes > this.buffer.byteLength) this.#grow(this.at + bytes);
  }

  #grow(needed: number): void {
    const grown = new Uint8Array(Math.max(needed, this.buffer.byteLength * 2));
    grown.set(this.buffer.subarray(0, this.at));
    this.buffer = grown;
  }

  /** Writes one byte (a marker or a fixed form). */
  protected byte(value: number): void {
    this.room(1);
    this.buffer[this.at++] = value;
  }

  /** Writes the low 16 bits of `n` at `at`, big-endian (two's complement for a negative `n`). */
  protected u16(at: number, n: number): void {
    const b = this.buffer;
    b[at] = n >>> 8;
    b[at + 1] = n;
  }

  /** Writes the low 32 bits of `n` at `at`, big-endian (two's complement for a negative `n`). */
  protected u32(at: number, n: number): void {
    const b = this.buffer;
    b[at] = n >>> 24;
    b[at + 1] = n >>> 16;
    b[at + 2] = n >>> 8;
    b[at + 3] = n;
  }

  /** Writes a signed 64-bit integer at `at`, big-endian. */
  protected i64(at: number, n: bigint): void {
    scratch.setBigInt64(0, n);
    for (let i = 0; i < 8; i++) this.buffer[at + i] = scratch.getUint8(i);
  }

  protected number(n: number): void {
    this.room(9);
    const b = this.buffer;
    if (n >>> 0 === n) {
      // 0 to 2^32 - 1, the most common numbers first.
      if (n < 0x80) b[this.at++] = n;
      else if (n < 0x100) {
        b[this.at++] = 0xcc;
        b[this.at++] = n;
      } else if (n < 0x10000) {
        b[this.at++] = 0xcd;
        this.u16(this.at, n);
        this.at += 2;
      } else {
        b[this.at++] = 0xce;
        this.u32(this.at, n);
        this.at += 4;
      }
    } else if ((n | 0) === n) {
      // -2^31 to -1.
      if (n >= -0x20) b[this.at++] = n & 0xff;
      else if (n >= -0x80) {
        b[this.at++] = 0xd0;
        b[this.at++] = n & 0xff;
      } else if (n >= -0x8000) {
        b[this.at++] = 0xd1;
        this.u16(this.at, n);
        this.at += 2;
      } else {
        b[this.at++] = 0xd2;
        this.u32(this.at, n);
        this.at += 4;
      }
    } else if (!Number.isSafeInteger(n)) {
      b[this.at++] = 0xcb;
      scratch.setFloat64(0, n);
      for (let i = 0; i < 8; i++) b[this.at + i] = scratch.getUint8(i);
      this.at += 8;
    } else if (n > 0) {
      b[this.at++] = 0xcf;
      this.u32(this.at, Math.floor(n / TWO_32));
      this.u32(this.at + 4, n >>> 0);
      this.at += 8;
    } else {
      const high = Math.floor(n / TWO_32);
      b[this.at++] = 0xd3;
      this.u32(this.at, high);
      this.u32(this.at + 4, n - high * TWO_32);
      this.at += 8;
    }
  }

  protected string(s: string): void {
    const n = s.length;
    if (n < 32) {
      // Most strings are short ASCII (ids, names, keys): their header is known before their bytes.
      this.room(1 + n);
      const b = this.buffer;
      const start = this.at + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) return this.#utf8String(s);
        b[start + i] = c;
      }
      b[this.at] = 0xa0 | n;
      this.at = start + n;
      return;
    }
    if (n > LOOP_STRING_CHARS) return this.#longString(s);
    this.#utf8String(s);
  }

  /** A string of up to {@linkcode LOOP_STRING_CHARS} characters, in UTF-8 as `TextEncoder` writes it. */
  #utf8String(s: string): void {
    const n = s.length;
    const max = n * 3;
    const header = max < 32 ? 1 : max < 0x100 ? 2 : 3;
    this.room(header + max);
    const b = this.buffer;
    const start = this.at + header;
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
    this.room(5 + max);
    const { written } = textEncoder.encodeInto(s, this.buffer.subarray(this.at + 5));
    this.#stringHeader(written, 5);
  }

  /** Writes the header of a string whose bytes were written `reserved` bytes ahead. */
  #stringHeader(length: number, reserved: number): void {
    const header = length < 32 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    const b = this.buffer;
    if (header !== reserved) {
      b.copyWithin(this.at + header, this.at + reserved, this.at + reserved + length);
    }
    if (header === 1) b[this.at] = 0xa0 | length;
    else if (header === 2) {
      b[this.at] = 0xd9;
      b[this.at + 1] = length;
    } else if (header === 3) {
      b[this.at] = 0xda;
      this.u16(this.at + 1, length);
    } else {
      b[this.at] = 0xdb;
      this.u32(this.at + 1, length);
    }
    this.at += header + length;
  }

  protected mapHeader(size: number): void {
    this.room(5);
    if (size < 16) this.buffer[this.at++] = 0x80 | size;
    else this.#sized(size, 0xde, 0xdf);
  }

  protected arrayHeader(size: number): void {
    this.room(5);
    if (size < 16) this.buffer[this.at++] = 0x90 | size;
    else this.#sized(size, 0xdc, 0xdd);
  }

  /** A 16- or 32-bit size after its marker (room made by the caller). */
  #sized(size: number, marker16: number, marker32: number): void {
    if (size < 0x10000) {
      this.buffer[this.at++] = marker16;
      this.u16(this.at, size);
      this.at += 2;
    } else {
      this.buffer[this.at++] = marker32;
      this.u32(this.at, size);
      this.at += 4;
    }
  }

  protected bin(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    this.room(5 + n);
    if (n < 0x100) {
      this.buffer[this.at++] = 0xc4;
      this.buffer[this.at++] = n;
    } else this.#sized(n, 0xc5, 0xc6);
    this.buffer.set(bytes, this.at);
    this.at += n;
  }

  /** Leaves room for the largest extension header; the payload is written after it. */
  protected extStart(): number {
    this.room(6);
    const start = this.at;
    this.at += 6;
    return start;
  }

  /** Writes the smallest header for the payload written since `start`, moving it if needed. */
  protected extEnd(start: number, type: number): void {
    const length = this.at - start - 6;
    const fixed = FIXEXT.get(length);
    const header = fixed !== undefined ? 2 : length < 0x100 ? 3 : length < 0x10000 ? 4 : 6;
    const b = this.buffer;
    if (header !== 6) b.copyWithin(start + header, start + 6, this.at);
    if (fixed !== undefined) b[start] = fixed;
    else if (header === 3) {
      b[start] = 0xc7;
      b[start + 1] = length;
    } else if (header === 4) {
      b[start] = 0xc8;
      this.u16(start + 1, length);
    } else {
      b[start] = 0xc9;
      this.u32(start + 1, length);
    }
    b[start + header - 1] = type & 0xff;
    this.at = start + header + length;
  }
}

/** The `fixext` marker of each payload length that has one. */
const FIXEXT = new Map([[1, 0xd4], [2, 0xd5], [4, 0xd6], [8, 0xd7], [16, 0xd8]]);
