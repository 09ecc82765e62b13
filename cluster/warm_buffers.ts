/**
 * Reassembly buffers whose memory is already touched (`chunks_in.ts`).
 *
 * A chunked envelope is reassembled into a fresh buffer of its size (the
 * actor keeps it: it cannot be reused). Writing into fresh memory costs a
 * page fault per page, and on a loaded virtual machine that is most of the
 * cost of receiving: measured here, filling a fresh 64 MiB buffer took
 * 160 ms, filling it again 3 ms, which capped a 64 MiB ask at about 0.6x raw
 * NATS. So while a large envelope is received, a thread of its own
 * allocates the next buffer of that size and touches each of its pages;
 * the buffer is transferred back (moved, not copied) and taken by the next
 * envelope of the same size: repeated tensors of one shape (gradients,
 * weights, batches) are the common case. A size never seen before is
 * allocated as before.
 *
 * Memory: spares are made only for sizes between `minBytes` and `maxBytes`,
 * at most `maxSpareBytes` in all (made or being made), and let go after
 * `keepMs` unused; so a host receiving one 64 MiB envelope holds at most
 * that envelope and one spare (2x), and one receiving a 1 GiB envelope
 * holds no spare.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import type { Clock, TimerHandle } from "../base/clock.ts";

/** Makes a buffer of `bytes` bytes with its pages touched, elsewhere than this thread. */
export type BufferWarmer = {
  /** Asks for a buffer of `bytes` bytes; it comes to the handler given to `start`. */
  readonly request: (bytes: number) => void;
  /** Stops it (buffers asked for and not come are not waited for). */
  readonly end: () => void;
};

/**
 * Starts a warmer that hands each buffer it made to `made`, or the size it
 * could not make.
 */
export type WarmerFactory = (made: (buffer: ArrayBuffer | number) => void) => BufferWarmer;

/** How warm buffers are kept. */
export interface WarmBuffersOptions {
  readonly clock: Clock;
  /**
   * Sizes below this get no spare (their faults cost little), in bytes.
   * @default {1048576} (1 MiB)
   */
  readonly minBytes?: number;
  /**
   * Sizes above this get no spare (it would cost a payload's memory), in bytes.
   * @default {268435456} (256 MiB)
   */
  readonly maxBytes?: number;
  /**
   * Bytes of spares kept and being made, at most.
   * @default {268435456} (256 MiB)
   */
  readonly maxSpareBytes?: number;
  /**
   * A spare unused for this long is let go, in milliseconds.
   * @default {5000}
   */
  readonly keepMs?: number;
  /**
   * Where spares are made.
   * @default A `node:worker_threads` worker (`warm_buffers_worker.ts`), started at the first spare.
   */
  readonly warmer?: WarmerFactory;
}

interface Spare {
  readonly buffer: ArrayBuffer;
  readonly madeMs: number;
}

/** The spare reassembly buffers of one host. */
export class WarmBuffers {
  readonly #clock: Clock;
  readonly #minBytes: number;
  readonly #maxBytes: number;
  readonly #maxSpareBytes: number;
  readonly #keepMs: number;
  readonly #factory: WarmerFactory;
  #warmer: BufferWarmer | undefined;
  readonly #spares: Spare[] = [];
  /** Bytes of the spares asked for and not come yet. */
  #comingBytes = 0;
  #timer: TimerHandle | undefined;
  #closed = false;
  /** Buffers taken warm, and taken cold (allocated here), of the sizes that get spares. */
  readonly counts = { warm: 0, cold: 0 };

  /** @param options Sizes, memory and time limits, and where spares are made. */
  constructor(options: WarmBuffersOptions) {
    this.#clock = options.clock;
    this.#minBytes = options.minBytes ?? 1024 * 1024;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.#maxSpareBytes = options.maxSpareBytes ?? 256 * 1024 * 1024;
    this.#keepMs = options.keepMs ?? 5_000;
    this.#factory = options.warmer ?? workerWarmer;
  }

  /** Bytes of the spares held now. */
  get spareBytes(): number {
    let bytes = 0;
    for (const spare of this.#spares) bytes += spare.buffer.byteLength;
    return bytes;
  }

  /**
   * A buffer of `bytes` bytes for an envelope: a warm spare of that size if
   * there is one, else a new one; and, for a size that gets spares, a spare
   * for the next envelope of that size is asked for.
   *
   * @throws {RangeError} When the runtime cannot allocate it.
   */
  take(bytes: number): ArrayBuffer {
    if (this.#closed || bytes < this.#minBytes || bytes > this.#maxBytes) {
      return new ArrayBuffer(bytes);
    }
    const at = this.#spares.findIndex((spare) => spare.buffer.byteLength === bytes);
    const buffer = at >= 0 ? this.#spares.splice(at, 1)[0].buffer : new ArrayBuffer(bytes);
    if (at >= 0) this.counts.warm++;
    else this.counts.cold++;
    this.#ask(bytes);
    return buffer;
  }

  /** Lets every spare go and stops the warmer. */
  close(): void {
    this.#closed = true;
    this.#spares.length = 0;
    this.#warmer?.end();
    this.#warmer = undefined;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #ask(bytes: number): void {
    if (this.spareBytes + this.#comingBytes + bytes > this.#maxSpareBytes) return;
    this.#comingBytes += bytes;
    this.#warmer ??= this.#factory((buffer) => this.#made(buffer));
    this.#warmer.request(bytes);
  }

  #made(buffer: ArrayBuffer | number): void {
    const bytes = typeof buffer === "number" ? buffer : buffer.byteLength;
    this.#comingBytes = Math.max(0, this.#comingBytes - bytes);
    if (this.#closed || typeof buffer === "number") return;
    this.#spares.push({ buffer, madeMs: this.#clock.now() });
    this.#arm();
  }

  /** Lets spares go once they were unused for `keepMs`, while there are any. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      const cutoff = this.#clock.now() - this.#keepMs;
      for (let i = this.#spares.length - 1; i >= 0; i--) {
        if (this.#spares[i].madeMs <= cutoff) this.#spares.splice(i, 1);
      }
      if (this.#spares.length > 0) this.#arm();
    }, this.#keepMs);
    this.#clock.keepAlive(this.#timer, false);
  }
}

/** The default warmer: a worker thread that never keeps the process alive. */
function workerWarmer(made: (buffer: ArrayBuffer | number) => void): BufferWarmer {
  const worker = new Worker(new URL("./warm_buffers_worker.ts", import.meta.url));
  worker.unref();
  worker.on("message", (buffer: ArrayBuffer | number) => made(buffer));
  // A warmer that fails only costs the spares: buffers are then allocated here.
  worker.on("error", () => {});
  return {
    request: (bytes) => worker.postMessage(bytes),
    end: () => void worker.terminate(),
  };
}
