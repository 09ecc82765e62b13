/**
 * The bytes of the direct data channel (docs/PROTOCOL.md, "Direct data
 * channel"): the hello the connecting host sends first, and the header of
 * each chunk record after it. Pure functions over bytes.
 *
 * @module
 */

/** The first four bytes of a hello: "ACDC". */
export const DIRECT_MAGIC = Uint8Array.of(0x41, 0x43, 0x44, 0x43);
/** The version of the direct channel's bytes. */
export const DIRECT_VERSION = 1;
/** The bytes of a token. */
export const TOKEN_BYTES = 32;
/** The byte the listener answers an accepted hello with (a refused one is closed unanswered). */
export const ACCEPTED = 0x01;
/** The kind byte of a chunk record. */
export const CHUNK_RECORD = 9;
/** The bytes of a chunk record's header. */
export const RECORD_HEADER_BYTES = 24;
/** The longest hello, in bytes: magic, version, id length, id of at most 128, token. */
export const MAX_HELLO_BYTES = 4 + 1 + 1 + 128 + TOKEN_BYTES;

/** Encodes a hello: `ACDC`, version, id length, id (ASCII), token. */
export function encodeHello(hostId: string, token: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + hostId.length + TOKEN_BYTES);
  out.set(DIRECT_MAGIC, 0);
  out[4] = DIRECT_VERSION;
  out[5] = hostId.length;
  for (let i = 0; i < hostId.length; i++) out[6 + i] = hostId.charCodeAt(i) & 0x7f;
  out.set(token, 6 + hostId.length);
  return out;
}

/** What the first six bytes of a hello say: how many bytes follow, or why it is refused. */
export function helloRest(first: Uint8Array): number | "bad-magic" | "bad-version" | "bad-id" {
  for (let i = 0; i < 4; i++) if (first[i] !== DIRECT_MAGIC[i]) return "bad-magic";
  if (first[4] !== DIRECT_VERSION) return "bad-version";
  const idLength = first[5];
  if (idLength < 1 || idLength > 128) return "bad-id";
  return idLength + TOKEN_BYTES;
}

/** Splits the rest of a hello into the host id and the token. */
export function parseHelloRest(rest: Uint8Array): { hostId: string; token: Uint8Array } {
  const idLength = rest.byteLength - TOKEN_BYTES;
  return {
    hostId: String.fromCharCode(...rest.subarray(0, idLength)),
    token: rest.subarray(idLength),
  };
}

/** A chunk record's header. */
export interface RecordHeader {
  readonly kind: number;
  readonly bytes: number;
  readonly transfer: number;
  readonly offset: number;
}

/** Writes a chunk record's header into `into` (24 bytes). */
export function writeRecordHeader(
  into: Uint8Array,
  transfer: number,
  offset: number,
  bytes: number,
): Uint8Array {
  const view = new DataView(into.buffer, into.byteOffset, RECORD_HEADER_BYTES);
  view.setUint32(0, CHUNK_RECORD << 24);
  view.setUint32(4, bytes);
  view.setBigUint64(8, BigInt(transfer));
  view.setBigUint64(16, BigInt(offset));
  return into;
}

/** Reads a chunk record's header; `undefined` when it is malformed. */
export function readRecordHeader(from: Uint8Array): RecordHeader | undefined {
  const view = new DataView(from.buffer, from.byteOffset, RECORD_HEADER_BYTES);
  const word = view.getUint32(0);
  const kind = word >>> 24;
  if (kind !== CHUNK_RECORD || (word & 0xffffff) !== 0) return undefined;
  const transfer = view.getBigUint64(8);
  const offset = view.getBigUint64(16);
  if (transfer > BigInt(Number.MAX_SAFE_INTEGER) || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
    return undefined;
  }
  return { kind, bytes: view.getUint32(4), transfer: Number(transfer), offset: Number(offset) };
}

/** Compares two tokens in time that does not depend on where they differ. */
export function sameToken(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** A fresh random token (the platform's cryptographic source, never a seeded one). */
export function newToken(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
}

/** Reads exactly `into.byteLength` bytes; `false` at the end of the stream first. */
export async function readFull(
  conn: { read(into: Uint8Array): Promise<number | null> },
  into: Uint8Array,
): Promise<boolean> {
  let at = 0;
  while (at < into.byteLength) {
    const n = await conn.read(into.subarray(at));
    if (n === null) return false;
    at += n;
  }
  return true;
}

/** Writes all of `bytes`. */
export async function writeFull(
  conn: { write(bytes: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) at += await conn.write(bytes.subarray(at));
}
