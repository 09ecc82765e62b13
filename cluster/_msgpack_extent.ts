/**
 * Where a MessagePack value ends, found without decoding it: headers are
 * read, strings, binaries and extensions are jumped over. The batch decoder
 * uses it to cut a batch into windows that end between two frames, so each
 * window is decoded in one go and a long batch can pause between windows.
 *
 * @module
 */

/**
 * The offset just past the MessagePack value that starts at `at`.
 *
 * @param bytes The bytes.
 * @param at Where the value starts.
 * @param limit Where the bytes that may be read end.
 * @returns The offset past the value, or -1 when it does not end by `limit`
 *   or is not MessagePack (the decoder then says what is wrong).
 */
export function valueEnd(bytes: Uint8Array, at: number, limit: number): number {
  // Values still to jump over: containers add their items.
  let pending = 1;
  while (pending > 0) {
    if (at >= limit) return -1;
    const head = bytes[at];
    pending--;
    if (head <= 0x7f || head >= 0xe0) {
      at += 1;
    } else if (head >= 0xa0 && head <= 0xbf) {
      at += 1 + (head & 0x1f);
    } else if (head >= 0x90 && head <= 0x9f) {
      at += 1;
      pending += head & 0x0f;
    } else if (head >= 0x80 && head <= 0x8f) {
      at += 1;
      pending += 2 * (head & 0x0f);
    } else {
      const size = SIZES[head - 0xc0];
      if (size === undefined || at + size.header > limit) return -1;
      const length = size.lengthBytes === 0 ? 0 : readLength(bytes, at + 1, size.lengthBytes);
      at += size.header + size.fixed + (size.items === 0 ? length : 0);
      pending += size.items * length;
    }
  }
  return at <= limit ? at : -1;
}

/** How one kind of value (0xc0 to 0xdf) is laid out. */
interface Size {
  /** Bytes of its header (its first byte, its length, an extension's type). */
  readonly header: number;
  /** Bytes after the header that do not depend on a length. */
  readonly fixed: number;
  /** Bytes of its length field, right after the first byte (0: none). */
  readonly lengthBytes: number;
  /** Items per unit of length, for arrays (1) and maps (2); 0 when the length counts bytes. */
  readonly items: number;
}

const fixed = (bytes: number): Size => ({ header: 1, fixed: bytes, lengthBytes: 0, items: 0 });
const counted = (lengthBytes: number, extra = 0): Size => ({
  header: 1 + lengthBytes + extra,
  fixed: 0,
  lengthBytes,
  items: 0,
});
const container = (lengthBytes: number, items: number): Size => ({
  header: 1 + lengthBytes,
  fixed: 0,
  lengthBytes,
  items,
});

/** The layouts of 0xc0 to 0xdf; `undefined` for 0xc1, which is never used. */
const SIZES: readonly (Size | undefined)[] = [
  fixed(0), // 0xc0 nil
  undefined, // 0xc1
  fixed(0), // 0xc2 false
  fixed(0), // 0xc3 true
  counted(1), // 0xc4 bin 8
  counted(2), // 0xc5 bin 16
  counted(4), // 0xc6 bin 32
  counted(1, 1), // 0xc7 ext 8 (length, then type)
  counted(2, 1), // 0xc8 ext 16
  counted(4, 1), // 0xc9 ext 32
  fixed(4), // 0xca float 32
  fixed(8), // 0xcb float 64
  fixed(1), // 0xcc uint 8
  fixed(2), // 0xcd uint 16
  fixed(4), // 0xce uint 32
  fixed(8), // 0xcf uint 64
  fixed(1), // 0xd0 int 8
  fixed(2), // 0xd1 int 16
  fixed(4), // 0xd2 int 32
  fixed(8), // 0xd3 int 64
  fixed(2), // 0xd4 fixext 1 (type, data)
  fixed(3), // 0xd5 fixext 2
  fixed(5), // 0xd6 fixext 4
  fixed(9), // 0xd7 fixext 8
  fixed(17), // 0xd8 fixext 16
  counted(1), // 0xd9 str 8
  counted(2), // 0xda str 16
  counted(4), // 0xdb str 32
  container(2, 1), // 0xdc array 16
  container(4, 1), // 0xdd array 32
  container(2, 2), // 0xde map 16
  container(4, 2), // 0xdf map 32
];

function readLength(bytes: Uint8Array, at: number, size: number): number {
  if (size === 1) return bytes[at];
  if (size === 2) return (bytes[at] << 8) | bytes[at + 1];
  return ((bytes[at] << 24) >>> 0) + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]);
}
