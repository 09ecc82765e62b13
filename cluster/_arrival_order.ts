/**
 * FIFO around chunked envelopes: a chunked tell or ask to an actor is
 * delivered when its last chunk arrives, but its place among the same
 * sender's frames to that actor is where its frame 8 was. Envelopes from
 * that sender to that actor that arrive while one is being reassembled wait
 * here behind it (other senders and other actors do not), and run in order
 * once it is delivered or dropped.
 *
 * @module
 */

interface Entry {
  /** The transfer this entry waits for; `undefined` for a waiting envelope. */
  readonly transfer: number | undefined;
  /** What runs in its turn; for a transfer, set when it completes. */
  run: (() => void) | undefined;
  settled: boolean;
}

/** Envelopes per sender and actor held behind chunked ones. */
export class ArrivalOrder {
  readonly #queues = new Map<string, Entry[]>();

  /** Whether nothing waits (the common case: one check per envelope). */
  get idle(): boolean {
    return this.#queues.size === 0;
  }

  /** Whether an envelope from `sender` to `to` must wait (run it with {@linkcode hold}). */
  holds(sender: string, to: string): boolean {
    return this.#queues.has(keyOf(sender, to));
  }

  /** Queues an envelope behind the transfers before it. */
  hold(sender: string, to: string, run: () => void): void {
    this.#queues.get(keyOf(sender, to))?.push({ transfer: undefined, run, settled: true });
  }

  /** A chunked envelope from `sender` to `to` began: what follows it waits for it. */
  open(sender: string, to: string, transfer: number): void {
    const key = keyOf(sender, to);
    let queue = this.#queues.get(key);
    if (queue === undefined) this.#queues.set(key, queue = []);
    queue.push({ transfer, run: undefined, settled: false });
  }

  /**
   * A chunked envelope ended: `run` delivers it in its turn (`undefined`
   * when it was dropped); the envelopes behind it run up to the next one
   * still being reassembled.
   */
  settle(sender: string, to: string, transfer: number, run: (() => void) | undefined): void {
    const key = keyOf(sender, to);
    const queue = this.#queues.get(key);
    const entry = queue?.find((e) => e.transfer === transfer && !e.settled);
    if (queue === undefined || entry === undefined) return run?.();
    entry.run = run;
    entry.settled = true;
    while (queue.length > 0 && queue[0].settled) queue.shift()!.run?.();
    if (queue.length === 0) this.#queues.delete(key);
  }
}

function keyOf(sender: string, to: string): string {
  return `${sender} ${to}`;
}
