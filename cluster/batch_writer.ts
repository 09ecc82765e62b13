/**
 * Builds the batches of envelope frames for one target host
 * (`docs/PROTOCOL.md`, "Batches"): the protocol version, the sender's host
 * id, then the encoded frames one after the other. Frames are encoded
 * straight into the batch ({@linkcode BatchWriter.addFrame}), or copied into
 * it when they were encoded before ({@linkcode BatchWriter.add}).
 *
 * One writer makes the batches to one host one after the other, cut from a
 * buffer it keeps ({@linkcode BatchWriter.next}): a batch that was taken is
 * never written again, and a small batch (an ask, a reply) costs no buffer
 * of its own.
 *
 * @module
 */

import { PROTOCOL_VERSION } from "./protocol_version.ts";
import { ValueWriter } from "./_value_writer.ts";
import { type Frame, frameToWire, WIRE_KIND } from "./frames.ts";

/** The protocol version this code speaks (byte 0 of every batch). */
export { PROTOCOL_VERSION };

/** Bytes of each buffer batches are cut from (a larger batch grows one of its own). */
const CHUNK_BYTES = 16 * 1024;

/**
 * Bytes of a new writer's first buffer: enough for its first batches of
 * small frames, so that a host sending one frame to each of many peers (a
 * goodbye, a verdict) does not allocate and zero {@linkcode CHUNK_BYTES} for
 * each; a writer that keeps sending moves to chunks of that size soon.
 */
const FIRST_BYTES = 2 * 1024;

/** A batch starts in a fresh buffer when less than this is left in the current one. */
const MIN_ROOM_BYTES = 1024;

/**
 * Typed arrays and `bin` of at least this many bytes are written into a
 * batch only once it is known that the frame fits (else they are sent as
 * chunks straight from the caller's memory, `chunks_out.ts`).
 */
const SPILL_MIN_BYTES = 64 * 1024;

/** Builds the batches for one target host, one at a time. */
export class BatchWriter extends ValueWriter {
  readonly #header: Uint8Array;
  /** Where the batch being built starts in the buffer. */
  #start = 0;

  /** @param senderHostId The sending host (at most 255 ASCII characters). */
  constructor(senderHostId: string) {
    super(FIRST_BYTES);
    this.spillMinBytes = SPILL_MIN_BYTES;
    const header = new Uint8Array(2 + senderHostId.length);
    header[0] = PROTOCOL_VERSION;
    header[1] = senderHostId.length;
    for (let i = 0; i < senderHostId.length; i++) header[2 + i] = senderHostId.charCodeAt(i);
    this.#header = header;
    this.#begin();
  }

  /** The batch's size so far, in bytes. */
  get size(): number {
    return this.at - this.#start;
  }

  /** Whether the batch holds no frame yet. */
  get empty(): boolean {
    return this.at - this.#start === this.#header.byteLength;
  }

  /** The size the batch would have with a frame of `frameBytes` added. */
  sizeWith(frameBytes: number): number {
    return this.size + frameBytes;
  }

  /** Appends an encoded frame. */
  add(frame: Uint8Array): void {
    this.room(frame.byteLength);
    this.buffer.set(frame, this.at);
    this.at += frame.byteLength;
  }

  /**
   * Encodes a frame at the end of the batch.
   *
   * @returns Its size in bytes.
   * @throws {UnencodableValueError} When a value in it cannot be written; then the batch is as before.
   */
  addFrame(frame: Frame): number {
    const start = this.at;
    // The frames sent most are written without making their array (as `frameToWire` makes it).
    if (frame.kind === "tell" && frame.traceparent === undefined) {
      this.appendArray(4, WIRE_KIND.tell, frame.to, frame.name, frame.body);
    } else if (frame.kind === "reply") {
      this.appendArray(3, WIRE_KIND.reply, frame.correlation, frame.body);
    } else this.append(frameToWire(frame));
    return this.at - start;
  }

  /** Bytes of the last frame left out of the buffer (large typed arrays), to be placed or taken. */
  get spilledBytes(): number {
    let bytes = 0;
    for (const spill of this.spills) bytes += spill.bytes.byteLength;
    return bytes;
  }

  /**
   * Takes the last frame, of `frameBytes` bytes in the buffer, out of the
   * batch with the bytes left out of it.
   *
   * @returns Its bytes in order: copies of what the buffer held, and the
   *   caller's own typed arrays' bytes (not copied).
   */
  takeFrame(frameBytes: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    let from = this.at - frameBytes;
    for (const spill of this.spills) {
      if (spill.at > from) parts.push(this.buffer.slice(from, spill.at));
      parts.push(spill.bytes);
      from = spill.at;
    }
    if (this.at > from) parts.push(this.buffer.slice(from, this.at));
    this.at -= frameBytes;
    this.spills = [];
    return parts;
  }

  /** Appends a frame taken with {@linkcode takeFrame}, its bytes copied into the batch. */
  addParts(parts: readonly Uint8Array[]): void {
    for (const part of parts) this.add(part);
  }

  /**
   * Takes the last `frameBytes` bytes (the last frame) out of the batch.
   *
   * @returns A copy of them.
   */
  takeLast(frameBytes: number): Uint8Array {
    this.at -= frameBytes;
    return this.buffer.slice(this.at, this.at + frameBytes);
  }

  /** The batch so far. */
  bytes(): Uint8Array {
    return this.buffer.subarray(this.#start, this.at);
  }

  /** Starts the next batch after this one, whose bytes are never written again. */
  next(): void {
    // A buffer grown for a large batch is not kept for the small ones after it.
    if (this.buffer.byteLength > CHUNK_BYTES || this.buffer.byteLength - this.at < MIN_ROOM_BYTES) {
      this.fresh(CHUNK_BYTES);
    }
    this.#begin();
  }

  #begin(): void {
    this.#start = this.at;
    this.add(this.#header);
  }
}

/** Bytes of a batch header, for size checks. */
export function frameOverheadBytes(senderHostId: string): number {
  return 2 + senderHostId.length;
}
