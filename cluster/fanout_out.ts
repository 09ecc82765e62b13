/**
 * Fan-out transfers out (`docs/PROTOCOL.md`, "Fan-out transfers"): the
 * value of one object, fetched by several hosts at about the same time, is
 * published once, in chunks, on a subject of this host that every reader of
 * that transfer subscribes to (`R.<self>.fan.<transfer>`); NATS copies it to
 * each reader.
 *
 * The fetches of one object that arrive while its transfer has not started
 * join it: it starts once `fanoutWindowMs` has passed since the first and
 * every reader said it subscribed (frame 10 with 0 bytes). Readers still
 * not subscribed `fanoutReadyTimeoutMs` after the window are left out and
 * sent frame 12 `unicast`: they fetch the value alone, and a reader slow to
 * subscribe does not hold up the others for the stall timeout. Flow control
 * is that of chunked envelopes with one window for all (`fanoutWindowChunks`):
 * the next chunk goes out while the slowest reader holds at most a window
 * less than what was sent. A reader that cancels (frame 11), whose host is
 * gone, or that gave no credit for `stallTimeoutMs` leaves the transfer (it
 * is sent frame 12 when it did not cancel itself); the others go on without it.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../base/clock.ts";
import type { Frame } from "./frames.ts";
import { type ChunkPolicy, FANOUT_UNICAST } from "./chunk_policy.ts";
import { alignOf, CHUNK_FRAME_HEADER_BYTES, chunkBatch, copyFromParts } from "./_chunk_batch.ts";
import { BatchWriter, frameOverheadBytes } from "./batch_writer.ts";
import type { FanTicket } from "../actors/internal.ts";

/** What fan-out sending works with. */
export interface FanOutSeams {
  readonly selfId: string;
  readonly clock: Clock;
  readonly policy: ChunkPolicy;
  /** The largest NATS message, in bytes. */
  readonly maxPayloadBytes: number;
  /** The batch header of this host. */
  readonly header: Uint8Array;
  /** A transfer number not used by any other transfer of this host. */
  readonly reserveId: () => number;
  /**
   * Publishes one chunk batch of transfer `transfer` on its subject.
   * @returns `false` when it could not be published (disconnected).
   */
  readonly publish: (transfer: number, bytes: Uint8Array) => boolean;
  /** Queues a frame in the batches for `host`. */
  readonly send: (host: string, frame: Frame) => void;
}

/** What fan-out transfers have done, for counting from outside. */
export interface FanOutCounts {
  /** Transfers started (each one publish of the value, whatever its readers). */
  readonly transfers: number;
  /** Readers those transfers were for. */
  readonly readers: number;
  /** Readers that received the whole value. */
  readonly delivered: number;
  /** Chunk batches published. */
  readonly chunks: number;
  /** Readers left out of a transfer because they were not ready in time (they fetch alone). */
  readonly unicast: number;
}

interface Member {
  ready: boolean;
  acked: number;
  progressMs: number;
}

interface FanTransfer {
  readonly id: number;
  readonly objectId: string;
  readonly bytes: number;
  readonly align: number;
  readonly members: Map<string, Member>;
  readonly opensUntilMs: number;
  /** Readers not ready by then are left out (unicast). */
  readonly readyByMs: number;
  parts: Uint8Array[];
  part: number;
  partOffset: number;
  sent: number;
  started: boolean;
  inFlight: { readonly end: number; readonly buffer: Uint8Array }[];
}

/** The fan-out transfers this host sends. */
export class FanOut {
  readonly #seams: FanOutSeams;
  readonly #chunkBytes: number;
  readonly #transfers = new Map<number, FanTransfer>();
  /** The transfer of each object that readers may still join. */
  readonly #joinable = new Map<string, FanTransfer>();
  readonly #free: Uint8Array[] = [];
  #timer: TimerHandle | undefined;
  #counts = { transfers: 0, readers: 0, delivered: 0, chunks: 0, unicast: 0 };

  /** @param seams Where chunks go. */
  constructor(seams: FanOutSeams) {
    this.#seams = seams;
    this.#chunkBytes = seams.maxPayloadBytes - seams.header.byteLength - CHUNK_FRAME_HEADER_BYTES;
  }

  /** Transfers being formed or sent. */
  get open(): number {
    return this.#transfers.size;
  }

  /** What was sent so far. */
  get counts(): FanOutCounts {
    return { ...this.#counts };
  }

  /**
   * Host `reader` fetches object `objectId`, whose value is `value`.
   *
   * @returns The ticket of the transfer it joins; `undefined` when the value
   *   fits in one batch (it goes in the answer) or cannot be encoded (the
   *   answer reports it).
   */
  serve(objectId: string, value: unknown, reader: string): FanTicket | undefined {
    let transfer = this.#joinable.get(objectId);
    if (transfer === undefined || transfer.members.has(reader)) {
      transfer = this.#open(objectId, value);
      if (transfer === undefined) return undefined;
    }
    transfer.members.set(reader, { ready: false, acked: 0, progressMs: this.#seams.clock.now() });
    return { kind: "fanout", transfer: transfer.id, bytes: transfer.bytes, align: transfer.align };
  }

  /**
   * Frame 10 from `host`.
   *
   * @returns Whether it names a fan-out transfer of this host.
   */
  acked(host: string, id: number, bytes: number): boolean {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined) return false;
    const member = transfer.members.get(host);
    if (member === undefined) return true;
    if (bytes === 0 && !member.ready) {
      member.ready = true;
      member.progressMs = this.#seams.clock.now();
      this.#maybeStart(transfer);
      return true;
    }
    if (bytes <= member.acked || bytes > transfer.sent) return true;
    member.acked = bytes;
    member.progressMs = this.#seams.clock.now();
    if (bytes === transfer.bytes) {
      transfer.members.delete(host);
      this.#counts.delivered++;
    }
    this.#progress(transfer);
    return true;
  }

  /**
   * Frame 11 from `host`: it left transfer `id`.
   *
   * @returns Whether it names a fan-out transfer of this host.
   */
  cancelled(host: string, id: number): boolean {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined) return false;
    if (transfer.members.delete(host)) this.#progress(transfer);
    return true;
  }

  /** Host `host` is gone: it leaves every transfer. */
  hostGone(host: string): void {
    for (const transfer of [...this.#transfers.values()]) {
      if (transfer.members.delete(host)) this.#progress(transfer);
    }
  }

  /** Ends every transfer: this host is shutting down. */
  closing(): void {
    for (const transfer of [...this.#transfers.values()]) {
      for (const host of transfer.members.keys()) this.#abort(transfer, host, "closing");
      this.#end(transfer);
    }
    if (this.#timer !== undefined) this.#seams.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A new transfer of the value, or `undefined` when it fits in one batch. */
  #open(objectId: string, value: unknown): FanTransfer | undefined {
    const id = this.#seams.reserveId();
    const writer = new BatchWriter(this.#seams.selfId);
    let size: number;
    try {
      size = writer.addFrame({ kind: "reply", correlation: id, body: { kind: "value", value } });
    } catch {
      return undefined;
    }
    const total = size + writer.spilledBytes;
    if (total + frameOverheadBytes(this.#seams.selfId) <= this.#seams.maxPayloadBytes) {
      return undefined;
    }
    if (total > Math.min(this.#seams.policy.maxMessageBytes, 2 ** 32 - 1)) return undefined;
    const parts = writer.takeFrame(size);
    const align = alignOf(parts);
    const { fanoutWindowMs, fanoutReadyTimeoutMs } = this.#seams.policy;
    const opensUntilMs = this.#seams.clock.now() + fanoutWindowMs;
    const transfer: FanTransfer = {
      id,
      objectId,
      bytes: total,
      align,
      members: new Map(),
      opensUntilMs,
      readyByMs: opensUntilMs + fanoutReadyTimeoutMs,
      parts,
      part: 0,
      partOffset: 0,
      sent: 0,
      started: false,
      inFlight: [],
    };
    this.#transfers.set(id, transfer);
    this.#joinable.set(objectId, transfer);
    for (const delayMs of [fanoutWindowMs, fanoutWindowMs + fanoutReadyTimeoutMs]) {
      const start = this.#seams.clock.setTimeout(() => this.#maybeStart(transfer), delayMs);
      this.#seams.clock.keepAlive(start, false);
    }
    this.#arm();
    return transfer;
  }

  /**
   * Starts a transfer once its window has passed and every reader is
   * subscribed, or those that are once the readers' time to subscribe is up.
   */
  #maybeStart(transfer: FanTransfer): void {
    if (transfer.started || !this.#transfers.has(transfer.id)) return;
    const now = this.#seams.clock.now();
    if (now < transfer.opensUntilMs) return;
    if (now >= transfer.readyByMs) this.#leaveOutUnready(transfer);
    for (const member of transfer.members.values()) if (!member.ready) return;
    if (transfer.members.size === 0) return this.#end(transfer);
    transfer.started = true;
    if (this.#joinable.get(transfer.objectId) === transfer) {
      this.#joinable.delete(transfer.objectId);
    }
    this.#counts.transfers++;
    this.#counts.readers += transfer.members.size;
    for (const member of transfer.members.values()) member.progressMs = now;
    this.#pump(transfer);
  }

  /** Readers not subscribed yet fetch the value alone: frame 12 `unicast` tells them. */
  #leaveOutUnready(transfer: FanTransfer): void {
    for (const [host, member] of [...transfer.members]) {
      if (member.ready) continue;
      transfer.members.delete(host);
      this.#counts.unicast++;
      this.#abort(transfer, host, FANOUT_UNICAST);
    }
  }

  /** After a reader acknowledged or left: frees chunks, sends more, or ends. */
  #progress(transfer: FanTransfer): void {
    if (transfer.members.size === 0) return this.#end(transfer);
    if (!transfer.started) return this.#maybeStart(transfer);
    const slowest = this.#slowest(transfer);
    while (transfer.inFlight.length > 0 && transfer.inFlight[0].end <= slowest) {
      const { buffer } = transfer.inFlight.shift()!;
      if (this.#free.length < FREE_BUFFERS) this.#free.push(buffer);
    }
    this.#pump(transfer);
  }

  #slowest(transfer: FanTransfer): number {
    let slowest = transfer.bytes;
    for (const member of transfer.members.values()) slowest = Math.min(slowest, member.acked);
    return slowest;
  }

  /** Publishes chunks while the slowest reader's window allows. */
  #pump(transfer: FanTransfer): void {
    const window = this.#seams.policy.fanoutWindowChunks * this.#chunkBytes;
    const slowest = this.#slowest(transfer);
    while (transfer.sent < transfer.bytes && transfer.sent - slowest < window) {
      if (!this.#seams.publish(transfer.id, this.#chunk(transfer))) {
        // Not connected: nothing more can reach the readers, whose gets fail as the host does.
        this.#end(transfer);
        return;
      }
      this.#counts.chunks++;
    }
  }

  /** The next chunk batch: header, frame 9's header, then its data (the one copy). */
  #chunk(transfer: FanTransfer): Uint8Array {
    const n = Math.min(this.#chunkBytes, transfer.bytes - transfer.sent);
    const out = chunkBatch(
      this.#seams.header,
      transfer.id,
      transfer.sent,
      n,
      (into, at) => copyFromParts(transfer, into, at, n),
      this.#free.pop(),
    );
    transfer.inFlight.push({ end: transfer.sent + n, buffer: new Uint8Array(out.buffer) });
    transfer.sent += n;
    if (transfer.sent === transfer.bytes) transfer.parts = [];
    return out;
  }

  #abort(transfer: FanTransfer, host: string, reason: string): void {
    this.#seams.send(host, { kind: "chunkAbort", transfer: transfer.id, reason });
  }

  #end(transfer: FanTransfer): void {
    this.#transfers.delete(transfer.id);
    if (this.#joinable.get(transfer.objectId) === transfer) {
      this.#joinable.delete(transfer.objectId);
    }
    transfer.parts = [];
    transfer.inFlight = [];
    transfer.members.clear();
  }

  /** Drops readers that gave no sign for the stall timeout, while there are transfers. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    const { stallTimeoutMs } = this.#seams.policy;
    this.#timer = this.#seams.clock.setTimeout(() => {
      this.#timer = undefined;
      const cutoff = this.#seams.clock.now() - stallTimeoutMs;
      for (const transfer of [...this.#transfers.values()]) {
        for (const [host, member] of [...transfer.members]) {
          const waiting = !member.ready || (transfer.started && member.acked < transfer.sent);
          if (waiting && member.progressMs <= cutoff) {
            transfer.members.delete(host);
            this.#abort(transfer, host, "stalled");
          }
        }
        this.#progress(transfer);
      }
      if (this.#transfers.size > 0) this.#arm();
    }, Math.max(10, stallTimeoutMs / 4));
    this.#seams.clock.keepAlive(this.#timer, false);
  }
}

/** How many chunk buffers are kept for reuse, at most. */
const FREE_BUFFERS = 16;
