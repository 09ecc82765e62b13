/**
 * Builds the batch of envelope frames for one target host
 * (`docs/PROTOCOL.md`, "Batches"): the protocol version, the sender's host
 * id, then the encoded frames one after the other.
 *
 * @module
 */

/** The protocol version this code speaks (byte 0 of every batch). */
export const PROTOCOL_VERSION = 2;

/** Builds one batch for one target host. */
export class BatchWriter {
  #buffer: Uint8Array;
  #length: number;

  /** @param senderHostId The sending host (at most 255 ASCII characters). */
  constructor(senderHostId: string) {
    this.#buffer = new Uint8Array(4096);
    this.#buffer[0] = PROTOCOL_VERSION;
    this.#buffer[1] = senderHostId.length;
    for (let i = 0; i < senderHostId.length; i++) this.#buffer[2 + i] = senderHostId.charCodeAt(i);
    this.#length = 2 + senderHostId.length;
  }

  /** The batch's size so far, in bytes. */
  get size(): number {
    return this.#length;
  }

  /** The size the batch would have with a frame of `frameBytes` added. */
  sizeWith(frameBytes: number): number {
    return this.#length + frameBytes;
  }

  /** Appends an encoded frame. */
  add(frame: Uint8Array): void {
    const needed = this.sizeWith(frame.byteLength);
    if (needed > this.#buffer.byteLength) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.byteLength * 2));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(frame, this.#length);
    this.#length += frame.byteLength;
  }

  /** The finished batch. */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }
}

/** Bytes of a batch header, for size checks. */
export function frameOverheadBytes(senderHostId: string): number {
  return 2 + senderHostId.length;
}
