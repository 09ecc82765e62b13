/**
 * The dispatcher: one run queue of actors that have work, drained in a
 * microtask. Each actor handles at most `throughput` messages before the next
 * actor gets a turn, and after `sliceMs` of continuous work the dispatcher
 * yields to the event loop (timers, I/O) with a macrotask.
 *
 * @module
 */

/** Something the dispatcher can run: an actor cell. */
export interface Runnable {
  /**
   * Handles up to `budget` messages.
   *
   * @returns `true` when more messages are ready and the runnable wants another turn.
   */
  run(budget: number): boolean;
}

/** Dispatcher tuning. */
export interface SchedulerOptions {
  /**
   * Messages one actor handles before others get a turn.
   * @default {256}
   */
  readonly throughput?: number;
  /**
   * Milliseconds of continuous work after which the dispatcher lets timers and I/O run.
   * @default {10}
   */
  readonly sliceMs?: number;
}

/** Runs actors that have work, fairly, without starving the event loop. */
export class Scheduler {
  #queue: (Runnable | undefined)[] = [];
  #head = 0;
  #pending = false;
  #throughput: number;
  #sliceMs: number;

  /** @param options Throughput and time slice. */
  constructor(options: SchedulerOptions = {}) {
    this.#throughput = options.throughput ?? 256;
    this.#sliceMs = options.sliceMs ?? 10;
  }

  /** Queues a runnable for a turn. The caller makes sure it is not queued twice. */
  enqueue(runnable: Runnable): void {
    this.#queue.push(runnable);
    if (!this.#pending) {
      this.#pending = true;
      queueMicrotask(this.#run);
    }
  }

  #run = (): void => {
    const queue = this.#queue;
    // The clock is read only once some turns have run: most runs are a single
    // short turn, and reading the time costs as much as the turn.
    let started = 0;
    let turns = 0;
    while (this.#head < queue.length) {
      const runnable = queue[this.#head]!;
      queue[this.#head++] = undefined;
      let again = false;
      try {
        again = runnable.run(this.#throughput);
      } catch (err) {
        console.error("actor runtime bug: a cell threw out of its turn", err);
      }
      if (again) queue.push(runnable);
      if ((++turns & 31) === 0) {
        if (started === 0) started = performance.now();
        else if (performance.now() - started > this.#sliceMs) {
          this.#compact();
          setTimeout(this.#run, 0);
          return;
        }
        if (this.#head > 4096 && this.#head * 2 > queue.length) this.#compact();
      }
    }
    queue.length = 0;
    this.#head = 0;
    this.#pending = false;
  };

  #compact(): void {
    this.#queue.splice(0, this.#head);
    this.#head = 0;
  }
}
