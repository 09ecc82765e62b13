/**
 * Short ASCII strings read from the wire, kept in a small table: a batch
 * repeats its actor ids, message names and map keys, and reading them back
 * as the very string read before costs no allocation, and makes what the
 * receiver does with them cheap (an id compared with the last one is the same
 * object; a name looked up in a map has its hash computed already).
 *
 * The table has a fixed number of slots, each holding the last string read
 * whose bytes hash there: it never grows, whatever a peer sends, and a
 * string that does not match its slot's is simply read and replaces it.
 *
 * @module
 */

/** Strings of up to this many bytes go through the table; longer ones are read as they are. */
export const SHORT_STRING_BYTES = 32;

/** Slots of the table (a power of two). */
const SLOTS = 4096;

const table: (string | undefined)[] = new Array(SLOTS).fill(undefined);

/**
 * Reads the ASCII string in `bytes[start, end)` (at most
 * {@linkcode SHORT_STRING_BYTES} bytes), the same string object as the last
 * time these bytes were read when the table still has it.
 *
 * @returns The string, or `undefined` when a byte is not ASCII (the caller decodes UTF-8).
 */
export function shortAsciiString(
  bytes: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  const n = end - start;
  if (n === 0) return "";
  // The slot is chosen from the length and a few bytes (first, middle, last two): the
  // comparison with the slot's string reads them all anyway.
  const last = bytes[end - 1];
  const hash = Math.imul(n, 0x9e3779b1) ^ Math.imul(bytes[start], 0x85ebca6b) ^
    Math.imul(last, 0xc2b2ae35) ^ Math.imul(bytes[start + (n >> 1)], 0x27d4eb2f) ^
    Math.imul(bytes[n > 1 ? end - 2 : start], 0x165667b1);
  const slot = (hash ^ (hash >>> 15)) & (SLOTS - 1);
  const cached = table[slot];
  if (cached !== undefined && cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === bytes[start + i]) i++;
    if (i === n) return cached;
  }
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return undefined;
  // One flat string (a string built by `+=` is a chain that is flattened when first compared).
  const s = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  table[slot] = s;
  return s;
}
