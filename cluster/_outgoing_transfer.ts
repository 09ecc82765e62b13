/**
 * One chunked envelope being sent (`chunks_out.ts`): what is kept of it,
 * and how its next piece is cut, as a chunk batch over NATS (its data copied
 * once, into a buffer reused once acknowledged) or as a record on a direct
 * connection (views of the caller's bytes, no copy).
 *
 * @module
 */

import type { Frame } from "./frames.ts";
import type { ChunkedEnvelope, ChunkRoute } from "./chunk_policy.ts";
import { chunkBatch } from "./_chunk_batch.ts";
import type { TransferParts } from "./_transfer_parts.ts";
import { PROTOCOL_VERSION } from "./protocol_version.ts";

/** A transfer out. */
export interface OutgoingTransfer {
  readonly id: number;
  readonly host: string;
  readonly envelope: ChunkedEnvelope;
  /** The envelope's bytes still to send (let go of once all are out). */
  readonly parts: TransferParts;
  sent: number;
  acked: number;
  progressMs: number;
  /** The chunk batches not acknowledged yet: where each ends, and its buffer (reused once acknowledged). */
  inFlight: { readonly end: number; readonly buffer: Uint8Array }[];
  /** Its direct connection; `undefined`: its chunks go over NATS. */
  route: ChunkRoute | undefined;
  /** Whether it waits for its direct connection to open (or fail: then NATS). */
  routing: boolean;
}

/** The header of a host's batches: the protocol version, then its id (ASCII, at most 255). */
export function batchHeader(selfId: string): Uint8Array {
  const header = new Uint8Array(2 + selfId.length);
  header[0] = PROTOCOL_VERSION;
  header[1] = selfId.length;
  for (let i = 0; i < selfId.length; i++) header[2 + i] = selfId.charCodeAt(i);
  return header;
}

/** What is kept of a tell, ask or reply of `total` bytes sent in chunks, to report it. */
export function envelopeOf(
  frame: Extract<Frame, { kind: "tell" | "ask" | "reply" }>,
  total: number,
  type: string | undefined,
): ChunkedEnvelope {
  return frame.kind === "reply"
    ? { kind: "reply", bytes: total, correlation: frame.correlation }
    : {
      kind: frame.kind,
      bytes: total,
      to: frame.to,
      name: frame.name,
      type,
      correlation: frame.kind === "ask" ? frame.correlation : undefined,
    };
}

/**
 * Queues the next record of `transfer`, of at most `recordBytes`, on its
 * direct connection: views of the parts, no copy.
 *
 * @returns `false` when the connection is gone.
 */
export function nextRecord(
  transfer: OutgoingTransfer,
  route: ChunkRoute,
  recordBytes: number,
): boolean {
  const offset = transfer.sent;
  const n = Math.min(recordBytes, transfer.envelope.bytes - offset);
  const pieces = transfer.parts.views(n);
  transfer.sent += n;
  if (transfer.sent === transfer.envelope.bytes) transfer.parts.clear();
  return route.write(transfer.id, offset, pieces, n);
}

/**
 * The next chunk batch of `transfer`, of at most `chunkBytes` data bytes:
 * the header, frame 9's header, then its data (the one copy), written into
 * `reuse` when it is large enough.
 */
export function nextChunk(
  transfer: OutgoingTransfer,
  header: Uint8Array,
  chunkBytes: number,
  reuse: Uint8Array | undefined,
): Uint8Array {
  const total = transfer.envelope.bytes;
  const n = Math.min(chunkBytes, total - transfer.sent);
  const out = chunkBatch(
    header,
    transfer.id,
    transfer.sent,
    n,
    (into, at) => transfer.parts.copy(n, into, at),
    reuse,
  );
  transfer.inFlight.push({ end: transfer.sent + n, buffer: new Uint8Array(out.buffer) });
  transfer.sent += n;
  // The sender keeps nothing of what it sent.
  if (transfer.sent === total) transfer.parts.clear();
  return out;
}
