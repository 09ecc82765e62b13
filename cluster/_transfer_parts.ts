/**
 * The bytes of a chunked envelope still to send (`chunks_out.ts`): its
 * parts in order (the caller's typed arrays and the few bytes around them),
 * taken from the front a chunk at a time, as views for a direct connection
 * or copied into the buffer of a NATS chunk. A part is let go as soon as it
 * has been taken: the sender keeps nothing of what it sent.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);

/** The parts of one transfer still to send. */
export class TransferParts {
  #parts: Uint8Array[];
  #part = 0;
  #offset = 0;

  /** @param parts The envelope's bytes in order (not copied). */
  constructor(parts: Uint8Array[]) {
    this.#parts = parts;
  }

  /** The next `n` bytes, as views of the parts (no copy). */
  views(n: number): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    this.#take(n, (piece) => pieces.push(piece));
    return pieces;
  }

  /** Copies the next `n` bytes into `into` from `at`. */
  copy(n: number, into: Uint8Array, at: number): void {
    this.#take(n, (piece) => {
      into.set(piece, at);
      at += piece.byteLength;
    });
  }

  /** Lets go of every part (the transfer is over, or all of it was taken). */
  clear(): void {
    this.#parts = [];
  }

  #take(n: number, each: (piece: Uint8Array) => void): void {
    for (let left = n; left > 0;) {
      const part = this.#parts[this.#part];
      const take = Math.min(left, part.byteLength - this.#offset);
      if (take > 0) each(part.subarray(this.#offset, this.#offset + take));
      left -= take;
      this.#offset += take;
      if (this.#offset === part.byteLength) {
        this.#parts[this.#part] = EMPTY;
        this.#part++;
        this.#offset = 0;
      }
    }
  }
}
