/**
 * The bytes of one chunk batch (`docs/PROTOCOL.md`, "Chunked envelopes"):
 * the batch header, frame 9 `[9, transfer, offset, bin 32]`, then the
 * chunk's data, written straight after it by the caller (its one copy).
 *
 * @module
 */

/** Bytes of a chunk batch besides its header and data, at most: frame 9's array, kind, two uint 64, bin 32. */
export const CHUNK_FRAME_HEADER_BYTES = 2 + 9 + 9 + 5;

/**
 * Builds one chunk batch of `n` data bytes.
 *
 * @param header The batch header (version, sender id).
 * @param fill Writes the `n` data bytes into `into` from `at`.
 * @param reuse A buffer to write into when it is large enough (else a new one is made).
 */
export function chunkBatch(
  header: Uint8Array,
  transfer: number,
  offset: number,
  n: number,
  fill: (into: Uint8Array, at: number) => void,
  reuse?: Uint8Array,
): Uint8Array {
  const frame = new Uint8Array(CHUNK_FRAME_HEADER_BYTES);
  frame[0] = 0x94;
  frame[1] = 9;
  let at = writeUint(frame, 2, transfer);
  at = writeUint(frame, at, offset);
  frame[at] = 0xc6;
  writeUint32(frame, at + 1, n);
  at += 5;
  const length = header.byteLength + at + n;
  const out = reuse !== undefined && reuse.byteLength >= length
    ? reuse.subarray(0, length)
    : new Uint8Array(length);
  out.set(header, 0);
  out.set(frame.subarray(0, at), header.byteLength);
  fill(out, header.byteLength + at);
  return out;
}

/** Writes a non-negative safe integer in its smallest MessagePack form at `at`; returns the end. */
export function writeUint(b: Uint8Array, at: number, n: number): number {
  if (n < 0x80) {
    b[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    b[at] = 0xcc;
    b[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    b[at] = 0xcd;
    b[at + 1] = n >>> 8;
    b[at + 2] = n;
    return at + 3;
  }
  if (n < 0x1_0000_0000) {
    b[at] = 0xce;
    writeUint32(b, at + 1, n);
    return at + 5;
  }
  b[at] = 0xcf;
  writeUint32(b, at + 1, Math.floor(n / 0x1_0000_0000));
  writeUint32(b, at + 5, n >>> 0);
  return at + 9;
}

function writeUint32(b: Uint8Array, at: number, n: number): void {
  b[at] = n >>> 24;
  b[at + 1] = n >>> 16;
  b[at + 2] = n >>> 8;
  b[at + 3] = n;
}

/** Where an envelope's bytes are read from as its chunks are written: its parts, and how far. */
export interface PartsCursor {
  parts: Uint8Array[];
  part: number;
  partOffset: number;
}

/**
 * Copies the next `n` bytes of the cursor's parts into `into` at `at` (the
 * one copy of a chunk's data); a part read to its end is let go.
 */
export function copyFromParts(cursor: PartsCursor, into: Uint8Array, at: number, n: number): void {
  const end = at + n;
  while (at < end) {
    const part = cursor.parts[cursor.part];
    const take = Math.min(end - at, part.byteLength - cursor.partOffset);
    into.set(part.subarray(cursor.partOffset, cursor.partOffset + take), at);
    at += take;
    cursor.partOffset += take;
    if (cursor.partOffset === part.byteLength) {
      cursor.parts[cursor.part] = EMPTY;
      cursor.part++;
      cursor.partOffset = 0;
    }
  }
}

/** Where the first large typed array's elements (a part of 64 KiB or more) start in the parts, modulo 8. */
export function alignOf(parts: readonly Uint8Array[]): number {
  for (let i = 0, at = 0; i < parts.length; at += parts[i].byteLength, i++) {
    if (parts[i].byteLength >= 64 * 1024) return at % 8;
  }
  return 0;
}

const EMPTY = new Uint8Array(0);
