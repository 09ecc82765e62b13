/**
 * The chunk frames of the inbox (kinds 8 to 12, `docs/PROTOCOL.md`,
 * "Chunked envelopes"): credit and cancels for the transfers this host
 * sends, reassembly of those it receives, and their delivery in their place
 * among the same sender's envelopes to the same actor (`_arrival_order.ts`).
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import { decodeEnvelope, type Frame, type RefResolver } from "./codec.ts";
import { ArrivalOrder } from "./_arrival_order.ts";
import { ChunksIn, type IncomingTransfer } from "./chunks_in.ts";
import type { ChunkPolicy, ChunksOut } from "./chunks_out.ts";
import { TransferFailedError } from "./errors.ts";
import type { DirectChunksIn } from "./direct_listener.ts";
import type { FanFrames } from "./object_fanout.ts";
import { WarmBuffers, type WarmerFactory } from "./warm_buffers.ts";

/** A chunk frame. */
export type ChunkFrame = Extract<
  Frame,
  { kind: "chunkStart" | "chunk" | "chunkAck" | "chunkCancel" | "chunkAbort" }
>;

/** What the chunk frames of the inbox work with. */
export interface InboundChunksSeams {
  readonly clock: Clock;
  readonly policy: ChunkPolicy;
  readonly resolver: RefResolver;
  /** The transfers this host sends (for credit and cancels). */
  readonly out: ChunksOut;
  /** The fan-out transfers of objects, which take the chunk frames naming theirs. */
  readonly fan?: FanFrames;
  /** Queues a frame for a host. */
  readonly send: (host: string, frame: Frame) => void;
  /** Counts a refusal by reason. */
  readonly count: (reason: string) => void;
  /** Delivers a reassembled tell, ask or reply in its turn, of `bytes` bytes. */
  readonly deliver: (
    sender: string,
    frame: Extract<Frame, { kind: "tell" | "ask" | "reply" }>,
    bytes: number,
  ) => void;
  /** A reassembled envelope could not be read. */
  readonly undecodable: (sender: string, reason: string, detail: string) => void;
  /** The reply to one of this host's asks was lost on the way. */
  readonly replyLost: (sender: string, correlation: number, error: Error) => void;
  /**
   * Where warm reassembly buffers are made (`warm_buffers.ts`).
   * @default A worker thread of its own.
   */
  readonly warmer?: WarmerFactory;
}

/** The chunk frames of one host's inbox. */
export class InboundChunks {
  /** Envelopes held behind chunked ones of the same sender to the same actor. */
  readonly order = new ArrivalOrder();
  readonly #seams: InboundChunksSeams;
  readonly #in: ChunksIn;
  /** Reassembly buffers made ahead, their pages touched on another thread. */
  readonly warm: WarmBuffers;

  /** @param seams What it works with. */
  constructor(seams: InboundChunksSeams) {
    this.#seams = seams;
    this.warm = new WarmBuffers({
      clock: seams.clock,
      ...(seams.warmer === undefined ? {} : { warmer: seams.warmer }),
    });
    this.#in = new ChunksIn({
      allocate: (bytes) => this.warm.take(bytes),
      clock: seams.clock,
      policy: seams.policy,
      send: seams.send,
      count: seams.count,
      complete: (transfer, bytes) => this.#complete(transfer, bytes),
      dropped: (transfer, reason) => this.#dropped(transfer, reason),
    });
  }

  /** Transfers being received. */
  get open(): number {
    return this.#in.open;
  }

  /** The reassembly, for chunks that come on a direct connection (`direct_listener.ts`). */
  get direct(): DirectChunksIn {
    return this.#in;
  }

  /** Handles a chunk frame from `sender`. */
  handle(sender: string, frame: ChunkFrame): void {
    switch (frame.kind) {
      case "chunkStart": {
        const transfer = this.#in.begin(sender, frame);
        if (transfer !== undefined && transfer.of !== "reply") {
          this.order.open(sender, transfer.target as string, transfer.id);
        }
        return;
      }
      case "chunk":
        return this.#in.chunk(sender, frame.transfer, frame.offset, frame.data);
      case "chunkAck":
        if (this.#seams.fan?.acked(sender, frame.transfer, frame.bytes)) return;
        return this.#seams.out.acked(sender, frame.transfer, frame.bytes);
      case "chunkCancel":
        if (this.#seams.fan?.cancelled(sender, frame.transfer)) return;
        return this.#seams.out.cancelled(sender, frame.transfer, frame.reason);
      case "chunkAbort":
        if (this.#seams.fan?.aborted(sender, frame.transfer, frame.reason)) return;
        return this.#in.aborted(sender, frame.transfer, frame.reason);
      default: {
        const unknown: never = frame;
        throw new Error(`unknown frame ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Drops what `sender` was sending here (its host is gone). */
  senderGone(sender: string, why: string): void {
    this.#in.senderGone(sender, why);
  }

  /** Drops every transfer being received: this host is shutting down. */
  closing(): void {
    this.#in.closing();
    this.warm.close();
  }

  #complete(transfer: IncomingTransfer, bytes: Uint8Array): void {
    const { sender } = transfer;
    const frame = decodeEnvelope(bytes, this.#seams.resolver);
    const matches = "kind" in frame && frame.kind === transfer.of &&
      (frame.kind === "reply"
        ? frame.correlation === transfer.target
        : (frame.kind === "tell" || frame.kind === "ask") && frame.to === transfer.target);
    if (!matches) {
      const refused = "kind" in frame ? undefined : frame;
      const reason = refused?.reason ?? "malformed";
      const detail = refused?.detail ?? "a chunked envelope unlike its frame 8";
      this.#seams.count(reason);
      this.#seams.undecodable(sender, reason, detail);
      this.#dropped(transfer, reason);
      return;
    }
    const envelope = frame as Extract<Frame, { kind: "tell" | "ask" | "reply" }>;
    const deliver = () => this.#seams.deliver(sender, envelope, transfer.bytes);
    if (transfer.of === "reply") deliver();
    else this.order.settle(sender, transfer.target as string, transfer.id, deliver);
  }

  #dropped(transfer: IncomingTransfer, reason: string): void {
    if (transfer.of !== "reply") {
      this.order.settle(transfer.sender, transfer.target as string, transfer.id, undefined);
      return;
    }
    const error = new TransferFailedError(transfer.sender, transfer.bytes, "dropped", reason);
    this.#seams.replyLost(transfer.sender, transfer.target as number, error);
  }
}
