/**
 * Chunked envelopes in (`docs/PROTOCOL.md`, "Chunked envelopes"): frame 8
 * opens a reassembly buffer of the envelope's size, each chunk (frame 9) is
 * copied into it at its offset and acknowledged (frame 10), and the full
 * buffer is handed on as the bytes of one frame. The buffer is laid out so
 * that the first large typed array's elements are aligned: decoding builds
 * typed arrays over it instead of copying them.
 *
 * Chunks of one transfer come in order on one connection, so a chunk whose
 * offset is not the bytes received so far means one was lost: the transfer
 * is dropped and the sender told (frame 11). So is one larger than the
 * limit, one the runtime cannot allocate, one whose sender stopped sending
 * (frame 12), whose host is gone, or that made no progress for the stall
 * timeout: nothing partial is kept.
 *
 * Chunks may also come on a direct connection (`direct_listener.ts`): each
 * record is read straight into its place in the buffer (`directChunk`, then
 * `directWritten`), acknowledged over NATS as frame 9 is. Such a record may
 * overtake its frame 8, which comes over NATS: `whenStarted` lets the
 * connection wait for it (a sender's transfer ids only grow). A transfer
 * whose direct connection ends is dropped (`linkClosed`).
 *
 * @module
 */

import type { Clock, TimerHandle } from "../base/clock.ts";
import type { ChunkedKind, Frame } from "./frames.ts";
import type { ChunkPolicy } from "./chunks_out.ts";

/** One envelope being reassembled. */
export interface IncomingTransfer {
  readonly sender: string;
  readonly id: number;
  readonly of: ChunkedKind;
  /** The target actor (tell, ask) or correlation id (reply) that frame 8 named. */
  readonly target: string | number;
  readonly bytes: number;
}

/** What chunked receiving works with. */
export interface ChunksInSeams {
  readonly clock: Clock;
  readonly policy: ChunkPolicy;
  /** Queues a frame in the batches for `host`. */
  readonly send: (host: string, frame: Frame) => void;
  /** A transfer is complete: `bytes` are its frame's (a view of a buffer of its own). */
  readonly complete: (transfer: IncomingTransfer, bytes: Uint8Array) => void;
  /** A transfer was dropped (after frame 8 was taken): reported once. */
  readonly dropped: (transfer: IncomingTransfer, reason: string) => void;
  /** Counts a refused chunk frame by reason. */
  readonly count: (reason: string) => void;
  /**
   * A reassembly buffer of `bytes` bytes (`warm_buffers.ts`).
   * @default A new `ArrayBuffer`.
   * @throws {RangeError} When it cannot be allocated.
   */
  readonly allocate?: (bytes: number) => ArrayBuffer;
}

interface Reassembly extends IncomingTransfer {
  readonly buffer: Uint8Array;
  received: number;
  progressMs: number;
  /** The direct connection its chunks come on, once one came that way. */
  link: number | undefined;
}

/** Waits for frame 8 of a transfer whose chunks came first on a direct connection. */
interface StartWaiter {
  readonly id: number;
  readonly resolve: (started: boolean) => void;
}

/** The transfers this host is receiving. */
export class ChunksIn {
  readonly #seams: ChunksInSeams;
  readonly #transfers = new Map<string, Reassembly>();
  #timer: TimerHandle | undefined;
  /** The highest transfer id each sender announced with frame 8 (its ids only grow). */
  readonly #highest = new Map<string, number>();
  readonly #waiters = new Map<string, StartWaiter[]>();

  /** @param seams Where acks go and envelopes are handed on. */
  constructor(seams: ChunksInSeams) {
    this.#seams = seams;
  }

  /** Transfers being received. */
  get open(): number {
    return this.#transfers.size;
  }

  /**
   * Frame 8 from `sender`.
   *
   * @returns The transfer when it was taken; `undefined` when it was refused (and the sender told).
   */
  begin(
    sender: string,
    frame: Extract<Frame, { kind: "chunkStart" }>,
  ): IncomingTransfer | undefined {
    const key = keyOf(sender, frame.transfer);
    const { transfer: id, bytes, of, target, align } = frame;
    this.#started(sender, id);
    const cancel = (reason: string) => {
      this.#seams.count(`chunk-${reason}`);
      this.#seams.send(sender, { kind: "chunkCancel", transfer: id, reason });
      return undefined;
    };
    if (this.#transfers.has(key)) return cancel("duplicate");
    if (bytes > this.#seams.policy.maxMessageBytes) return cancel("too-large");
    let buffer: Uint8Array;
    try {
      const at = (8 - align) % 8;
      const allocate = this.#seams.allocate ?? ((n: number) => new ArrayBuffer(n));
      buffer = new Uint8Array(allocate(bytes + at), at, bytes);
    } catch {
      return cancel("too-large");
    }
    const transfer: Reassembly = {
      sender,
      id,
      of,
      target,
      bytes,
      buffer,
      received: 0,
      progressMs: this.#seams.clock.now(),
      link: undefined,
    };
    this.#transfers.set(key, transfer);
    this.#arm();
    if (bytes === 0) this.#finish(key, transfer);
    return transfer;
  }

  /** Frame 9 from `sender`: copied into its place at once (its data is the batch's). */
  chunk(sender: string, id: number, offset: number, data: Uint8Array): void {
    const into = this.#place(sender, id, offset, data.byteLength);
    if (into === undefined) return;
    into.set(data);
    this.#placed(sender, id, offset, data.byteLength);
  }

  /**
   * Resolves `true` once frame 8 of transfer `id` of `sender` was handled
   * (taken or refused): its chunks on a direct connection may overtake it,
   * which came over NATS. `false` after `timeoutMs` without it.
   */
  whenStarted(sender: string, id: number, timeoutMs: number): Promise<boolean> | true {
    if ((this.#highest.get(sender) ?? -1) >= id) return true;
    return new Promise((resolve) => {
      const clock = this.#seams.clock;
      const timer = clock.setTimeout(() => {
        const waiting = this.#waiters.get(sender) ?? [];
        const at = waiting.indexOf(waiter);
        if (at >= 0) waiting.splice(at, 1);
        resolve(false);
      }, timeoutMs);
      clock.keepAlive(timer, false);
      const waiter: StartWaiter = {
        id,
        resolve: (started) => {
          clock.clearTimeout(timer);
          resolve(started);
        },
      };
      const waiters = this.#waiters.get(sender) ?? [];
      this.#waiters.set(sender, waiters);
      waiters.push(waiter);
    });
  }

  /**
   * A chunk record of `n` bytes on direct connection `link` from `sender`:
   * the view of the reassembly buffer its bytes are read into (no copy), or
   * `undefined` when they are to be skipped (the transfer is unknown, or was
   * dropped now and the sender told). Call {@linkcode directWritten} once read.
   */
  directChunk(
    sender: string,
    id: number,
    offset: number,
    n: number,
    link: number,
  ): Uint8Array | undefined {
    const into = this.#place(sender, id, offset, n);
    const transfer = this.#transfers.get(keyOf(sender, id));
    if (into !== undefined && transfer !== undefined) transfer.link = link;
    return into;
  }

  /** The bytes of a direct chunk record are in place. */
  directWritten(sender: string, id: number, offset: number, n: number): void {
    this.#placed(sender, id, offset, n);
  }

  /** The direct connection `link` from `sender` closed: what came on it cannot complete. */
  linkClosed(sender: string, link: number, why: string): void {
    for (const [key, transfer] of [...this.#transfers]) {
      if (transfer.sender === sender && transfer.link === link) {
        this.#drop(key, transfer, why, true);
      }
    }
  }

  /** Where `n` bytes at `offset` go; `undefined` (and the transfer dropped if known) when nowhere. */
  #place(sender: string, id: number, offset: number, n: number): Uint8Array | undefined {
    const key = keyOf(sender, id);
    const transfer = this.#transfers.get(key);
    // Chunks still in flight after a transfer was dropped.
    if (transfer === undefined) {
      this.#seams.count("chunk-unknown-transfer");
      return undefined;
    }
    if (offset !== transfer.received) {
      this.#drop(key, transfer, "lost-chunk", true);
      return undefined;
    }
    if (offset + n > transfer.bytes) {
      this.#drop(key, transfer, "malformed", true);
      return undefined;
    }
    return transfer.buffer.subarray(offset, offset + n);
  }

  /** `n` bytes at `offset` are in place: acknowledged, and the transfer finished when whole. */
  #placed(sender: string, id: number, offset: number, n: number): void {
    const key = keyOf(sender, id);
    const transfer = this.#transfers.get(key);
    // Dropped meanwhile (its host gone, stalled): nothing to acknowledge.
    if (transfer === undefined || transfer.received !== offset) return;
    transfer.received += n;
    transfer.progressMs = this.#seams.clock.now();
    this.#seams.send(sender, { kind: "chunkAck", transfer: id, bytes: transfer.received });
    if (transfer.received === transfer.bytes) this.#finish(key, transfer);
  }

  #started(sender: string, id: number): void {
    if ((this.#highest.get(sender) ?? -1) < id) this.#highest.set(sender, id);
    const waiters = this.#waiters.get(sender);
    if (waiters === undefined) return;
    const ready = waiters.filter((w) => w.id <= id);
    this.#waiters.set(sender, waiters.filter((w) => w.id > id));
    for (const waiter of ready) waiter.resolve(true);
  }

  /** Frame 12 from `sender`: it stopped sending transfer `id`. */
  aborted(sender: string, id: number, reason: string): void {
    const key = keyOf(sender, id);
    const transfer = this.#transfers.get(key);
    if (transfer !== undefined) {
      this.#drop(key, transfer, `aborted by the sender: ${reason}`, false);
    }
  }

  /** Drops every transfer from `sender` (its host is gone); a new epoch of it counts its ids afresh. */
  senderGone(sender: string, why: string): void {
    this.#highest.delete(sender);
    for (const waiter of this.#waiters.get(sender) ?? []) waiter.resolve(false);
    this.#waiters.delete(sender);
    for (const [key, transfer] of [...this.#transfers]) {
      if (transfer.sender === sender) this.#drop(key, transfer, why, false);
    }
  }

  /** Drops every transfer: this host is shutting down. */
  closing(): void {
    for (const waiters of this.#waiters.values()) for (const w of waiters) w.resolve(false);
    this.#waiters.clear();
    for (const [key, transfer] of [...this.#transfers]) {
      this.#drop(key, transfer, "the receiving host is shutting down", true);
    }
    if (this.#timer !== undefined) this.#seams.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #finish(key: string, transfer: Reassembly): void {
    this.#transfers.delete(key);
    this.#seams.complete(transfer, transfer.buffer);
  }

  #drop(key: string, transfer: Reassembly, reason: string, tellSender: boolean): void {
    if (!this.#transfers.delete(key)) return;
    if (tellSender) {
      this.#seams.count(`chunk-${reason}`);
      this.#seams.send(transfer.sender, { kind: "chunkCancel", transfer: transfer.id, reason });
    }
    this.#seams.dropped(transfer, reason);
  }

  /** Checks for stalled transfers while there are any. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    const { stallTimeoutMs } = this.#seams.policy;
    this.#timer = this.#seams.clock.setTimeout(() => {
      this.#timer = undefined;
      const cutoff = this.#seams.clock.now() - stallTimeoutMs;
      for (const [key, transfer] of [...this.#transfers]) {
        if (transfer.progressMs <= cutoff) this.#drop(key, transfer, "stalled", true);
      }
      if (this.#transfers.size > 0) this.#arm();
    }, Math.max(10, stallTimeoutMs / 4));
    this.#seams.clock.keepAlive(this.#timer, false);
  }
}

function keyOf(sender: string, id: number): string {
  return `${sender} ${id}`;
}
