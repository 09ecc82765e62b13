/**
 * Who holds a persistence key: every write of a persistent actor's state
 * names the activation that made it (the actor, its host and that host's
 * epoch, and the host that asked for it). A new activation reads the state
 * before it claims it anyway, so it learns the holder without another store
 * round trip, and the cluster can refuse a takeover from a host that may not
 * make one (see `RemotePort.mayTakeKey` and docs/persistence.md, "Who holds
 * a key").
 *
 * Stored bytes: format byte `0xa8`, the length of the holder record
 * (uint16, big-endian), the record as a MessagePack map
 * `{ actor, host, epoch, by }`, then the state in format `0xa5` or `0xa6`.
 * State written before holders were recorded has no record: nobody holds it.
 *
 * @module
 */

import { Packr } from "npm:msgpackr@2.1.3";

/** The activation that wrote a persistent actor's state. */
export interface KeyHolder {
  /** The actor's id. */
  readonly actor: string;
  /** Its host. */
  readonly host: string;
  /** Its host's epoch (a host that restarted has a higher one: the holder is gone). */
  readonly epoch: number;
  /**
   * The host that asked for the activation: its supervisor's or owner's
   * host for a spawn request from another host, else its own host. Only
   * that host may start a second activation while the holder may be alive.
   */
  readonly by: string;
}

const FORMAT = 0xa8;
const HEADER_BYTES = 3;
/** A holder record is a few ids: anything larger is not one. */
const MAX_RECORD_BYTES = 0xffff;
const packr = new Packr({ useRecords: false });

/** The bytes that go before every state an activation writes. */
export function holderPrefix(holder: KeyHolder): Uint8Array {
  const record = packr.pack({
    actor: holder.actor,
    host: holder.host,
    epoch: holder.epoch,
    by: holder.by,
  });
  if (record.byteLength > MAX_RECORD_BYTES) throw new RangeError("holder record too large");
  const bytes = new Uint8Array(HEADER_BYTES + record.byteLength);
  bytes[0] = FORMAT;
  new DataView(bytes.buffer).setUint16(1, record.byteLength);
  bytes.set(record, HEADER_BYTES);
  return bytes;
}

/**
 * Splits stored bytes into the holder record (when there is a readable one)
 * and the state's own bytes (a view, not a copy).
 */
export function splitHolder(stored: Uint8Array): { holder?: KeyHolder; state: Uint8Array } {
  if (stored.byteLength < HEADER_BYTES || stored[0] !== FORMAT) return { state: stored };
  const length = new DataView(stored.buffer, stored.byteOffset).getUint16(1);
  const end = HEADER_BYTES + length;
  if (end > stored.byteLength) return { state: stored };
  const state = stored.subarray(end);
  let record: unknown;
  try {
    record = packr.unpack(stored.subarray(HEADER_BYTES, end));
  } catch {
    return { state };
  }
  const r = record as Partial<Record<keyof KeyHolder, unknown>> | null;
  if (
    r === null || typeof r !== "object" || typeof r.actor !== "string" ||
    typeof r.host !== "string" || typeof r.epoch !== "number" || typeof r.by !== "string"
  ) return { state };
  return { holder: { actor: r.actor, host: r.host, epoch: r.epoch, by: r.by }, state };
}

/** The state's own bytes of stored bytes, with or without a holder record. */
export function stateBytes(stored: Uint8Array): Uint8Array {
  if (stored.byteLength < HEADER_BYTES || stored[0] !== FORMAT) return stored;
  const end = HEADER_BYTES + new DataView(stored.buffer, stored.byteOffset).getUint16(1);
  return end > stored.byteLength ? stored : stored.subarray(end);
}
