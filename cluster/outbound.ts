/**
 * Outbound batching: envelopes to the same host go out as one NATS message,
 * flushed at the end of the current microtask (so a lone ask is not held
 * back) or as soon as the next frame would not fit. Frames are encoded
 * straight into their batch, and the batches to one host are cut one after
 * the other from the buffer of that host's writer: a tell costs no buffer
 * of its own and no copy, a lone ask no buffer either.
 *
 * Each batch is published with a reply subject naming its target and number.
 * When the target's inbox has no subscriber, NATS answers there with "no
 * responders", and the batch's envelopes are reported as undeliverable;
 * batches are remembered for a few seconds for that (with the payloads of
 * small envelopes only: a report of a large one names it without its bytes).
 *
 * A frame too large for one batch goes as a chunked envelope
 * (`chunks_out.ts`): its frame 8 takes its place in the batch, its chunks
 * follow as batches of their own.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { Clock } from "../base/clock.ts";
import { BatchWriter, buffersOf, encodeFrame, type Frame, frameOverheadBytes } from "./codec.ts";
import { SentBatches, type SentEnvelope, SentLog } from "./_sent_log.ts";
import { PayloadTooLargeError } from "../transport/errors.ts";
import {
  type ChunkedEnvelope,
  type ChunkPolicy,
  type ChunkRoute,
  ChunksOut,
  DEFAULT_CHUNK_POLICY,
  type TransferFailure,
} from "./chunks_out.ts";
import { type Capability, missing } from "./capabilities.ts";
import { EXTENSION } from "./value_extensions.ts";

export type { SentEnvelope };

/** Why envelopes were not delivered. */
export type UnsentReason = "host-unreachable" | "disconnected";

/** Receives envelopes that were not delivered. */
export type UnsentHandler = (
  host: string,
  envelopes: readonly SentEnvelope[],
  reason: UnsentReason,
  sentAtMs: number,
) => void;

/** How long a sent batch is remembered for a "no responders" answer, in milliseconds. */
const REMEMBER_MS = 3_000;

/** Writers kept for reuse (`Outbound.#spare`), each with a buffer of at most 16 KiB. */
const SPARE_WRITERS = 4;

/** Payloads of envelopes larger than this are not kept for reports, in bytes. */
const KEPT_PAYLOAD_MAX_BYTES = 64 * 1024;

/** Receives a chunked envelope that failed (once). */
export type TransferFailedHandler = (
  host: string,
  envelope: ChunkedEnvelope,
  failure: TransferFailure,
  detail: string,
) => void;

/** The batch being built for one host. */
interface Pending {
  /** Writes this host's batches, one after the other. */
  readonly writer: BatchWriter;
  /** The batch's tells and asks, once it has one. */
  envelopes: SentLog | undefined;
  /** The buffers moved beside the batch: those of one frame at most (see `attachments.ts`). */
  buffers: ArrayBuffer[] | undefined;
}

/** The outbound batches of one host. */
export class Outbound {
  #transport: Transport;
  #subjects: Subjects;
  #selfId: string;
  #clock: Clock;
  #onUnsent: UnsentHandler;
  /** The hosts sent to since the last flush but one, with their batches. */
  #pending = new Map<string, Pending>();
  /**
   * Writers of hosts forgotten by a flush, for the next host sent to: a
   * writer never writes over the bytes it has published, so it serves any
   * host, and a host that sends one frame to each of many peers (a goodbye,
   * a verdict) does not allocate and zero a batch buffer for every one.
   */
  #spare: BatchWriter[] = [];
  #sent = new SentBatches();
  #scheduled = false;
  /** Sends made while a batch was in the middle of a frame (a `toJSON` that sends): after it. */
  #deferred: (() => void)[] = [];
  /** How many frames are being encoded into batches now (more than one: a `toJSON` that sends). */
  #writing = 0;
  /** Batches published so far. */
  batches = 0;
  /** The chunked envelopes being sent. */
  readonly chunks: ChunksOut;
  readonly #policy: ChunkPolicy;
  readonly #accepts: (host: string, what: Capability) => boolean;

  /**
   * @param transport Where batches go.
   * @param subjects Subject names.
   * @param selfId This host's id.
   * @param clock For remembering batches.
   * @param onUnsent Told about envelopes that were not delivered.
   * @param onTransferFailed Told about chunked envelopes that failed.
   * @param policy How chunked envelopes are sent.
   * @param route The direct connection for a chunked envelope to a host, if any (`direct_links.ts`).
   * @param accepts Whether a host reads an addition to the protocol (`capabilities.ts`).
   */
  constructor(
    transport: Transport,
    subjects: Subjects,
    selfId: string,
    clock: Clock,
    onUnsent: UnsentHandler,
    onTransferFailed: TransferFailedHandler = () => {},
    policy: ChunkPolicy = DEFAULT_CHUNK_POLICY,
    route?: (host: string) => ChunkRoute | Promise<ChunkRoute | undefined> | undefined,
    accepts: (host: string, what: Capability) => boolean = () => true,
  ) {
    this.#accepts = accepts;
    this.#transport = transport;
    this.#subjects = subjects;
    this.#selfId = selfId;
    this.#clock = clock;
    this.#onUnsent = onUnsent;
    this.#policy = policy;
    this.chunks = new ChunksOut({
      selfId,
      clock,
      policy,
      maxPayloadBytes: Math.min(transport.maxPayloadBytes, 2 ** 30),
      publish: (host, bytes, transfer) => this.#publishChunk(host, bytes, transfer),
      send: (host, frame) => void this.enqueueFrame(host, frame, frame.kind),
      failed: onTransferFailed,
      ...(route === undefined ? {} : { route }),
    });
  }

  /**
   * Encodes a frame at the end of the batch for a host and queues it (alone
   * first when the transport moves buffers, see {@linkcode enqueue}).
   *
   * @param label What the frame carries (a message name, `reply`), for the error when it is too large.
   * @param type The target's actor type (tells and asks), to report it if it is not delivered.
   * @returns `undefined` once it is queued; else why it cannot be sent at all, and nothing was queued.
   */
  enqueueFrame(host: string, frame: Frame, label: string, type?: string): Error | undefined {
    const pending = this.#pending.get(host) ?? this.#open(host);
    if (this.#transport.movesBuffers === true || pending.writer.busy) {
      const bytes = this.#encodeAlone(frame, label);
      if (bytes instanceof Error) return bytes;
      if (frame.kind === "tell" || frame.kind === "ask") {
        const correlation = frame.kind === "ask" ? frame.correlation : undefined;
        this.enqueue(host, bytes, frame.kind, frame.to, frame.name, frame.body, correlation, type);
      } else this.enqueue(host, bytes, otherKind(frame));
      return undefined;
    }
    this.#writing++;
    let error: Error | undefined;
    try {
      error = this.#append(host, pending, frame, label, type);
    } finally {
      this.#writing--;
    }
    if (this.#writing === 0 && this.#deferred.length > 0) this.#sendDeferred();
    return error;
  }

  /**
   * Queues an encoded frame for a host (the caller has checked that it fits
   * in a batch); `kind` and the fields after it are what is reported if it
   * is not delivered (only tells and asks are).
   */
  enqueue(
    host: string,
    frame: Uint8Array,
    kind: SentEnvelope["kind"],
    to?: string,
    name?: string,
    payload?: unknown,
    correlation?: number,
    type?: string,
  ): void {
    const pending = this.#pending.get(host) ?? this.#open(host);
    if (pending.writer.busy) {
      this.#deferred.push(() =>
        this.enqueue(host, frame, kind, to, name, payload, correlation, type)
      );
      return;
    }
    const buffers = this.#transport.movesBuffers === true ? buffersOf(frame) : undefined;
    if (
      !pending.writer.empty &&
      (pending.writer.sizeWith(frame.byteLength) > this.#transport.maxPayloadBytes ||
        (buffers !== undefined && pending.buffers !== undefined))
    ) this.#send(host, pending);
    pending.buffers ??= buffers;
    pending.writer.add(frame);
    if (kind === "tell" || kind === "ask") {
      (pending.envelopes ??= new SentLog()).add(kind, to, name, payload, correlation, type);
    }
    this.#schedule();
  }

  /**
   * Publishes every pending batch now (but one in the middle of a frame: at
   * the next flush); forgets the hosts that had nothing to send since the last flush.
   */
  flush = (): void => {
    this.#scheduled = false;
    for (const [host, pending] of this.#pending) {
      if (pending.writer.busy) this.#schedule();
      else if (!pending.writer.empty) this.#send(host, pending);
      else {
        this.#pending.delete(host);
        if (this.#spare.length < SPARE_WRITERS) this.#spare.push(pending.writer);
      }
    }
    this.#sent.forgetUntil(this.#clock.now() - REMEMBER_MS);
  };

  /** A "no responders" answer for a batch: report its envelopes. */
  bounced(batch: number): void {
    const sent = this.#sent.take(batch);
    if (sent === undefined) return;
    if (sent.transfer !== undefined) return this.chunks.bounced(sent.transfer);
    this.#onUnsent(sent.host, sent.log?.envelopes() ?? [], "host-unreachable", sent.atMs);
  }

  /** Encodes a frame into a batch; one that makes the batch too large goes into the next. */
  #append(
    host: string,
    pending: Pending,
    frame: Frame,
    label: string,
    type: string | undefined,
  ): Error | undefined {
    let size: number;
    try {
      size = pending.writer.addFrame(frame);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
    const max = this.#transport.maxPayloadBytes;
    const spilled = pending.writer.spilledBytes;
    if (spilled > 0 || pending.writer.size > max) {
      const total = size + spilled;
      if (total + frameOverheadBytes(this.#selfId) > max) {
        return this.#chunked(host, pending, frame, label, type, size, total);
      }
      const parts = pending.writer.takeFrame(size);
      // It fits alone, so when it does not fit here the batch held frames before it: they go now.
      if (pending.writer.size + total > max) this.#send(host, pending);
      pending.writer.addParts(parts);
    }
    this.#log(pending, frame, type, size + spilled);
    this.#schedule();
    return undefined;
  }

  /** Records a tell or an ask of the batch, with its payload when it is small. */
  #log(pending: Pending, frame: Frame, type: string | undefined, bytes: number): void {
    if (frame.kind !== "tell" && frame.kind !== "ask") return;
    const payload = bytes <= KEPT_PAYLOAD_MAX_BYTES ? frame.body : undefined;
    const correlation = frame.kind === "ask" ? frame.correlation : undefined;
    (pending.envelopes ??= new SentLog()).add(
      frame.kind,
      frame.to,
      frame.name,
      payload,
      correlation,
      type,
    );
  }

  /**
   * Sends the last frame of the batch, of `size` bytes there and `total` in
   * all, as a chunked envelope: frame 8 takes its place, chunks follow.
   */
  #chunked(
    host: string,
    pending: Pending,
    frame: Frame,
    label: string,
    type: string | undefined,
    size: number,
    total: number,
  ): Error | undefined {
    const parts = pending.writer.takeFrame(size);
    if (!this.#accepts(host, "chunks")) return missing(host, "chunks", label);
    const start = this.chunks.beginFrame(host, frame, parts, total, type, label);
    if (start instanceof Error) return start;
    const startBytes = pending.writer.addFrame(start);
    if (pending.writer.size > this.#transport.maxPayloadBytes) {
      const bytes = pending.writer.takeLast(startBytes);
      this.#send(host, pending);
      pending.writer.add(bytes);
    }
    // Not logged with the batch: the transfer reports its own failure, once.
    this.#schedule();
    return undefined;
  }

  /** Publishes a chunk's batch after what is queued for its host. */
  #publishChunk(host: string, bytes: Uint8Array, transfer: number): boolean {
    const pending = this.#pending.get(host);
    if (pending !== undefined && !pending.writer.busy && !pending.writer.empty) {
      this.#send(host, pending);
    }
    const batch = this.#sent.remember(host, undefined, this.#clock.now(), transfer);
    try {
      this.#transport.publish(
        this.#subjects.batchTo(host),
        bytes,
        this.#subjects.bounce(host, batch),
      );
    } catch {
      this.#sent.take(batch);
      return false;
    }
    this.batches++;
    return true;
  }

  /** Encodes a frame on its own (to move buffers beside it, or to queue it later). */
  #encodeAlone(frame: Frame, label: string): Uint8Array | Error {
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame, this.#transport.movesBuffers === true);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
    const size = bytes.byteLength + frameOverheadBytes(this.#selfId);
    const max = this.#transport.maxPayloadBytes;
    return size > max ? new PayloadTooLargeError(`message '${label}'`, size, max) : bytes;
  }

  #sendDeferred(): void {
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const send of deferred) send();
  }

  #open(host: string): Pending {
    const writer = this.#spare.pop() ?? new BatchWriter(this.#selfId);
    // Asked only when an object ref is written: tells of plain values pay nothing for it.
    writer.extensionGate = (type) => {
      if (type === EXTENSION.objectRef && !this.#accepts(host, "object-refs")) {
        throw missing(host, "object-refs", "a message holding an object ref");
      }
    };
    const pending: Pending = {
      writer,
      envelopes: undefined,
      buffers: undefined,
    };
    this.#pending.set(host, pending);
    return pending;
  }

  #schedule(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Publishes the batch of `host`, and starts its next batch. */
  #send(host: string, pending: Pending): void {
    const bytes = pending.writer.bytes();
    const { envelopes, buffers } = pending;
    pending.writer.next();
    pending.envelopes = undefined;
    pending.buffers = undefined;
    const batch = this.#sent.remember(host, envelopes, this.#clock.now());
    try {
      this.#transport.publish(
        this.#subjects.batchTo(host),
        bytes,
        this.#subjects.bounce(host, batch),
        buffers,
      );
    } catch {
      // Not connected: nats.js would have dropped it silently; say so instead.
      this.#sent.take(batch);
      this.#onUnsent(host, envelopes?.envelopes() ?? [], "disconnected", this.#clock.now());
      return;
    }
    this.batches++;
  }
}

/** How a frame other than a tell or an ask is queued (it is not reported if it is not delivered). */
function otherKind(frame: Frame): "reply" | "undeliverable" {
  return frame.kind === "reply" || frame.kind === "replyError" ? "reply" : "undeliverable";
}
