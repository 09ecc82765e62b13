/**
 * Chunked envelopes out (`docs/PROTOCOL.md`, "Chunked envelopes"): a tell,
 * ask or reply too large for one batch is announced by frame 8 in the
 * ordinary batches (so it keeps its place among the sender's other frames
 * to that host), then its bytes follow as chunks (frame 9), one per NATS
 * message, at most a window of them unacknowledged (frame 10 from the
 * receiver gives credit). Other frames to the same host keep flowing in
 * their own batches between the chunks; heartbeats run on a connection of
 * their own anyway.
 *
 * The envelope's bytes are the caller's typed arrays themselves plus the
 * few bytes around them (`BatchWriter.takeFrame`): each chunk copies its
 * share into the one buffer that is published, and a transfer forgets its
 * bytes once the last chunk is out. A transfer fails at once when the
 * receiver cancels it (frame 11), its batches bounce, its host is gone or
 * this host disconnects, and after `stallTimeoutMs` without credit; the
 * failure is reported once (a dead letter for a tell, a typed error for an ask).
 *
 * With the direct data channel on (`direct_links.ts`), a transfer's chunks
 * may take a direct connection to its host instead (its `route`, chosen
 * once when it starts): records of `directRecordBytes` written as views of
 * the parts (no copy), up to `directWindowBytes` without credit; the credit
 * still comes as frame 10 over NATS. A broken connection fails the
 * transfers on it at once (`connection-lost`).
 *
 * @module
 */

import type { Clock, TimerHandle } from "../base/clock.ts";
import type { Frame } from "./frames.ts";
import type { ChunkedEnvelope, ChunkPolicy, ChunkRoute, TransferFailure } from "./chunk_policy.ts";
import { alignOf, CHUNK_FRAME_HEADER_BYTES } from "./_chunk_batch.ts";
import { TransferParts } from "./_transfer_parts.ts";
import {
  batchHeader,
  envelopeOf,
  nextChunk,
  nextRecord,
  type OutgoingTransfer as Transfer,
} from "./_outgoing_transfer.ts";

export {
  type ChunkedEnvelope,
  type ChunkPolicy,
  type ChunkRoute,
  DEFAULT_CHUNK_POLICY,
  type TransferFailure,
} from "./chunk_policy.ts";
import { PayloadTooLargeError } from "../transport/errors.ts";

/** What chunked sending works with. */
export interface ChunksOutSeams {
  readonly selfId: string;
  readonly clock: Clock;
  readonly policy: ChunkPolicy;
  /** The largest NATS message, in bytes. */
  readonly maxPayloadBytes: number;
  /**
   * Publishes one chunk's batch after every batch queued for `host` before it.
   * @returns `false` when it could not be published (disconnected).
   */
  readonly publish: (host: string, bytes: Uint8Array, transfer: number) => boolean;
  /** Queues a frame in the batches for `host`. */
  readonly send: (host: string, frame: Frame) => void;
  /**
   * The direct connection for the chunks of a transfer to `host`, when there
   * is one (or will be: a promise); `undefined`: over NATS.
   */
  readonly route?: (host: string) => ChunkRoute | Promise<ChunkRoute | undefined> | undefined;
  /** A transfer failed: reported once. */
  readonly failed: (
    host: string,
    envelope: ChunkedEnvelope,
    failure: TransferFailure,
    detail: string,
  ) => void;
}

/** The transfers this host is sending. */
export class ChunksOut {
  readonly #seams: ChunksOutSeams;
  readonly #header: Uint8Array;
  readonly #chunkBytes: number;
  readonly #transfers = new Map<number, Transfer>();
  #next = 0;
  #timer: TimerHandle | undefined;
  /** Chunk buffers free for reuse (a fresh 1 MiB buffer per chunk costs its page faults again). */
  readonly #free: Uint8Array[] = [];

  /** @param seams Where chunks go and failures are reported. */
  constructor(seams: ChunksOutSeams) {
    this.#seams = seams;
    this.#header = batchHeader(seams.selfId);
    this.#chunkBytes = seams.maxPayloadBytes - this.#header.byteLength - CHUNK_FRAME_HEADER_BYTES;
  }

  /** Transfers being sent. */
  get open(): number {
    return this.#transfers.size;
  }

  /**
   * A transfer number of its own for a transfer sent elsewhere (a fan-out,
   * `fanout_out.ts`): frames 10 to 12 name transfers by number, so one
   * numbering serves both.
   */
  reserveId(): number {
    return this.#next++;
  }

  /** The header of this host's batches (version, sender id). */
  get header(): Uint8Array {
    return this.#header;
  }

  /** The data bytes of one chunk. */
  get chunkBytes(): number {
    return this.#chunkBytes;
  }

  /**
   * Starts a transfer: its chunks follow once the returned frame 8 is queued
   * (the caller queues it now, in order with its other frames to `host`).
   *
   * @param parts The envelope's bytes in order (not copied; read as chunks go out).
   * @param align Where the first large typed array's elements start in the envelope, modulo 8.
   */
  begin(host: string, parts: Uint8Array[], envelope: ChunkedEnvelope, align: number): Frame {
    const id = this.#next++;
    const now = this.#seams.clock.now();
    const transfer: Transfer = {
      id,
      host,
      envelope,
      parts: new TransferParts(parts),
      sent: 0,
      acked: 0,
      progressMs: now,
      inFlight: [],
      route: undefined,
      routing: false,
    };
    this.#transfers.set(id, transfer);
    const route = this.#seams.route?.(host);
    if (route instanceof Promise) {
      transfer.routing = true;
      const routed = (to: ChunkRoute | undefined) => {
        transfer.routing = false;
        transfer.route = to;
        this.#pump(transfer);
      };
      route.then(routed, () => routed(undefined));
    } else {
      transfer.route = route;
      queueMicrotask(() => this.#pump(transfer));
    }
    this.#arm();
    const target = envelope.kind === "reply" ? envelope.correlation! : envelope.to!;
    return {
      kind: "chunkStart",
      transfer: id,
      bytes: envelope.bytes,
      of: envelope.kind,
      target,
      align,
    };
  }

  /**
   * Starts a transfer of a frame taken out of its batch
   * (`BatchWriter.takeFrame`), of `total` bytes.
   *
   * @returns Frame 8 to queue now; or the error when the frame cannot go in chunks at all.
   */
  beginFrame(
    host: string,
    frame: Frame,
    parts: Uint8Array[],
    total: number,
    type: string | undefined,
    label: string,
  ): Frame | Error {
    const limit = Math.min(this.#seams.policy.maxMessageBytes, 2 ** 32 - 1);
    if (frame.kind !== "tell" && frame.kind !== "ask" && frame.kind !== "reply") {
      return new PayloadTooLargeError(`message '${label}'`, total, this.#seams.maxPayloadBytes);
    }
    if (total > limit) return new PayloadTooLargeError(`message '${label}'`, total, limit);
    // Where the first large typed array's elements start, for the receiver to align them.
    const align = alignOf(parts);
    const envelope = envelopeOf(frame, total, type);
    return this.begin(host, parts, envelope, align);
  }

  /** Frame 10 from `host`: it holds `bytes` bytes of transfer `id`. */
  acked(host: string, id: number, bytes: number): void {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined || transfer.host !== host) return;
    if (bytes <= transfer.acked || bytes > transfer.sent) return;
    transfer.acked = bytes;
    transfer.progressMs = this.#seams.clock.now();
    // An acknowledged chunk was written to the socket long ago: its buffer takes a later chunk.
    while (transfer.inFlight.length > 0 && transfer.inFlight[0].end <= bytes) {
      const { buffer } = transfer.inFlight.shift()!;
      if (this.#free.length < FREE_BUFFERS) this.#free.push(buffer);
    }
    if (bytes === transfer.envelope.bytes) this.#transfers.delete(id);
    else this.#pump(transfer);
  }

  /** Frame 11 from `host`: it dropped transfer `id`. */
  cancelled(host: string, id: number, reason: string): void {
    const transfer = this.#transfers.get(id);
    if (transfer !== undefined && transfer.host === host) {
      this.#fail(transfer, "cancelled", `the receiver dropped it: ${reason}`);
    }
  }

  /** A chunk of transfer `id` found no subscriber: its host is gone. */
  bounced(id: number): void {
    const transfer = this.#transfers.get(id);
    if (transfer !== undefined) {
      this.#fail(transfer, "host-unreachable", "its inbox has no subscriber");
    }
  }

  /** The direct connection `route` broke: what goes on it fails (nothing else does). */
  routeBroken(route: ChunkRoute, detail: string): void {
    for (const transfer of [...this.#transfers.values()]) {
      if (transfer.route === route) this.#fail(transfer, "connection-lost", detail);
    }
  }

  /** Fails every transfer to `host` (lost or left). */
  hostGone(host: string, why: string): void {
    for (const transfer of [...this.#transfers.values()]) {
      if (transfer.host === host) this.#fail(transfer, "host-unreachable", why);
    }
  }

  /** Fails every transfer: this host is shutting down. */
  closing(): void {
    for (const transfer of [...this.#transfers.values()]) {
      this.#fail(transfer, "closing", "this host is shutting down");
    }
    if (this.#timer !== undefined) this.#seams.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fail(transfer: Transfer, failure: TransferFailure, detail: string): void {
    if (!this.#transfers.delete(transfer.id)) return;
    transfer.parts.clear();
    if (failure === "stalled" || failure === "closing") {
      this.#seams.send(transfer.host, {
        kind: "chunkAbort",
        transfer: transfer.id,
        reason: failure,
      });
    }
    this.#seams.failed(transfer.host, transfer.envelope, failure, detail);
  }

  /** Sends chunks while the window allows. */
  #pump(transfer: Transfer): void {
    const total = transfer.envelope.bytes;
    if (transfer.routing) return;
    const { policy } = this.#seams;
    const window = transfer.route === undefined
      ? policy.windowChunks * this.#chunkBytes
      : policy.directWindowBytes;
    while (
      this.#transfers.has(transfer.id) && transfer.sent < total &&
      transfer.sent - transfer.acked < window
    ) {
      if (transfer.route !== undefined) {
        if (!nextRecord(transfer, transfer.route, policy.directRecordBytes)) {
          this.#fail(transfer, "connection-lost", "its direct connection is closed");
          return;
        }
        continue;
      }
      const bytes = nextChunk(transfer, this.#header, this.#chunkBytes, this.#free.pop());
      if (!this.#seams.publish(transfer.host, bytes, transfer.id)) {
        this.#fail(transfer, "disconnected", "this host is not connected");
        return;
      }
    }
  }

  /** Checks for stalled transfers while there are any. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    const every = Math.max(10, this.#seams.policy.stallTimeoutMs / 4);
    this.#timer = this.#seams.clock.setTimeout(() => {
      this.#timer = undefined;
      const cutoff = this.#seams.clock.now() - this.#seams.policy.stallTimeoutMs;
      for (const transfer of [...this.#transfers.values()]) {
        if (transfer.progressMs <= cutoff) {
          this.#fail(
            transfer,
            "stalled",
            `no credit from the receiver for ${this.#seams.policy.stallTimeoutMs} ms`,
          );
        }
      }
      if (this.#transfers.size > 0) this.#arm();
    }, every);
    this.#seams.clock.keepAlive(this.#timer, false);
  }
}

/** How many chunk buffers are kept for reuse, at most. */
const FREE_BUFFERS = 16;
