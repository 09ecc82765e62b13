/**
 * Short ASCII strings read from the wire, kept in a table: a batch repeats
 * its actor ids, message names and map keys, and the addresses of a host's
 * entities come back again and again. Reading them back as the very string
 * read before costs no allocation, and makes what the receiver does with
 * them cheap: an id compared with the last one is the same object, and a
 * string looked up in a map has its hash computed already (a fresh 40-byte
 * address looked up among 30k costs V8 about 0.2 µs more, and decoding it
 * about 0.25 µs).
 *
 * The table has a fixed number of slots, chosen by a hash of all the bytes,
 * each holding the last string read that hashed there: it never grows,
 * whatever a peer sends, and a string that does not match its slot's is
 * simply read and replaces it. Its 64k slots keep most of the addresses of
 * tens of thousands of busy entities (the ids of 33k entities spread over
 * 4096 slots hashed on a few bytes found theirs there rarely); what they
 * hold is bounded too: 64k strings of at most {@linkcode SHORT_STRING_BYTES}
 * bytes.
 *
 * @module
 */

/** Strings of up to this many bytes go through the table; longer ones are read as they are. */
export const SHORT_STRING_BYTES = 64;

/** Slots of the table (a power of two). */
const SLOTS = 65_536;

let table: (string | undefined)[] | undefined;

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
  // FNV-1a over every byte: ids that differ only in a middle digit get different slots.
  let hash = 0x811c9dc5 ^ n;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  const slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
  // Made on first use: a process that reads nothing from the wire holds no table.
  const slots = table ??= new Array(SLOTS).fill(undefined);
  const cached = slots[slot];
  if (cached !== undefined && cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === bytes[start + i]) i++;
    if (i === n) return cached;
  }
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return undefined;
  // One flat string (a string built by `+=` is a chain that is flattened when first compared).
  const s = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  slots[slot] = s;
  return s;
}
