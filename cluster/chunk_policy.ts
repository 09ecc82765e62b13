/**
 * The policy of chunked envelopes (`chunks_out.ts`, `chunks_in.ts`), with
 * its defaults in one place, and what a failed transfer is reported with.
 *
 * @module
 */

import type { ChunkedKind } from "./frames.ts";

/** How chunked envelopes are sent and received. */
export interface ChunkPolicy {
  /**
   * Chunks in flight without credit, per transfer.
   * @default {8}
   */
  readonly windowChunks: number;
  /**
   * A transfer without progress for this long fails (on both sides), in milliseconds.
   * @default {10000}
   */
  readonly stallTimeoutMs: number;
  /**
   * The largest envelope sent or accepted, in bytes (at most 2^32 - 1: sizes travel as uint 32).
   * @default {2147483648} (2 GiB)
   */
  readonly maxMessageBytes: number;
  /**
   * The data bytes of one chunk record on a direct connection (larger than a
   * NATS chunk: fewer acknowledgements, no server limit).
   * @default {4194304} (4 MiB)
   */
  readonly directRecordBytes: number;
  /**
   * Bytes in flight without credit on a direct connection, per transfer.
   * Larger than over NATS: the sender holds views of the payload, not
   * copies, and the credit's round trip goes through the NATS server.
   * @default {67108864} (64 MiB)
   */
  readonly directWindowBytes: number;
  /**
   * How long a fan-out transfer of an object (`fanout_out.ts`) waits, from
   * its first reader's fetch, for more readers to join it before it starts, in milliseconds.
   * @default {20}
   */
  readonly fanoutWindowMs: number;
  /**
   * How long after its window a fan-out transfer waits for readers that have
   * not said they are subscribed, in milliseconds: then it starts without
   * them, and they fetch the value alone (unicast) instead of holding up the others.
   * @default {1000}
   */
  readonly fanoutReadyTimeoutMs: number;
  /**
   * Chunks of a fan-out transfer in flight past its slowest reader's credit.
   * Larger than `windowChunks`: the slowest of several readers changes from
   * moment to moment (each is scheduled apart), and a small window makes
   * every one of them wait for the one that is behind now. Not larger: the
   * NATS server holds what a reader has not read yet, and disconnects a
   * reader with more than 64 MiB pending (a slow consumer), so several
   * transfers to one reader must stay below that.
   * @default {16}
   */
  readonly fanoutWindowChunks: number;
}

/** The fan-out timings a cluster option may set (`ClusterOptions`). */
export type FanoutTiming = Partial<Pick<ChunkPolicy, "fanoutWindowMs" | "fanoutReadyTimeoutMs">>;

/** The defaults of {@linkcode ChunkPolicy}, in one place. */
export const DEFAULT_CHUNK_POLICY: ChunkPolicy = Object.freeze({
  windowChunks: 8,
  stallTimeoutMs: 10_000,
  maxMessageBytes: 2 ** 31,
  directRecordBytes: 4 * 1024 * 1024,
  directWindowBytes: 64 * 1024 * 1024,
  fanoutWindowMs: 20,
  fanoutReadyTimeoutMs: 1_000,
  fanoutWindowChunks: 16,
});

/** The reason of frame 12 that tells a fan-out reader to fetch the value alone. */
export const FANOUT_UNICAST = "unicast";

/** What is kept of a chunked envelope to report it (never its payload). */
export interface ChunkedEnvelope {
  readonly kind: ChunkedKind;
  /** The target actor (tell, ask). */
  readonly to?: string;
  /** The message name (tell, ask). */
  readonly name?: string;
  /** The target's actor type (tell, ask). */
  readonly type?: string;
  /** The ask's or reply's correlation id. */
  readonly correlation?: number;
  /** The envelope's size in bytes. */
  readonly bytes: number;
}

/** Why a transfer out failed. */
export type TransferFailure =
  | "host-unreachable"
  | "disconnected"
  | "cancelled"
  | "stalled"
  | "closing"
  | "connection-lost";

/**
 * A way for a transfer's chunks other than NATS: a direct connection to its
 * host (`direct_links.ts`). Frame 8 and the credit still go over NATS.
 */
export interface ChunkRoute {
  /** Tells connections apart (a host may get a new one after one broke). */
  readonly id: number;
  /**
   * Queues one chunk record: `bytes` bytes at `offset` of `transfer`, as the
   * views `pieces` (written as they are, not copied).
   *
   * @returns `false` when the connection is gone.
   */
  write(transfer: number, offset: number, pieces: readonly Uint8Array[], bytes: number): boolean;
}
