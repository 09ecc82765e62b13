/**
 * The dispatcher: one run queue of actors that have work, drained in a
 * microtask. Each actor handles at most `throughput` messages before the next
 * actor gets a turn, and after `sliceMs` of continuous work the dispatcher
 * yields to the event loop, so that timers and I/O run even while a single
 * actor's own queued messages are what keeps it busy.
 *
 * Reading the clock costs about as much as a trivial turn, so the dispatcher
 * counts messages and reads the clock once per batch of them. A fresh run
 * reads it first after `FIRST_READING` messages (most runs are one short turn
 * and never read it; a handler that computes for seconds holds the loop for
 * at most that many turns), again `FIRST_BATCH` messages later, and then after
 * batches sized to take about an eighth of the slice, at most `MAX_BATCH`
 * messages. A batch that took a quarter of the slice or more starts the
 * batches over small, and the actor that just ran is then timed after each of
 * its messages (its turn is cut into one-message runs) until `TIMED_MESSAGES`
 * of them in a row were short. So an actor with long turns is checked between
 * its own consecutive messages (the first time, after at most 20 of them),
 * while a flood of trivial tells reads the clock once per 256 messages. A
 * yield ends the running actor's turn: the others go first after it.
 *
 * How it yields, measured on Deno 2.9 (a chain of tasks with busy work in
 * each, and a probe started in the middle of it):
 *
 * - `setTimeout(fn, 0)` idles the event loop for about 2.2 ms per yield
 *   (1 ms at least, rounded up to the timer's tick).
 * - A `MessageChannel` message costs 6 to 17 µs but starves the event loop: a
 *   due timer waited about 80 messages, and a fetch to a local `Deno.serve`
 *   had not completed after 3000.
 * - `setImmediate` costs 3 to 60 µs; due timers and thread-pool I/O (file
 *   reads) run at the next yield, but sockets are polled only about once
 *   every 100 immediates (a fetch to a local server took ~100 yields).
 *
 * So the dispatcher yields with `setImmediate`, and once `IDLE_EVERY_MS`
 * of continuous work has passed since the event loop last had a real idle
 * turn, with `setTimeout(fn, 0)`, which lets it wait for and poll sockets.
 * Nothing is scheduled while no actor has work, so an idle program exits.
 *
 * @module
 */

/** Something the dispatcher can run: an actor cell. */
export interface Runnable {
  /**
   * Handles up to `budget` messages. A turn may come in several calls: the
   * dispatcher hands out smaller budgets, down to one, to read the clock between them.
   *
   * @param budget The most messages to handle in this call (at least 1).
   * @param preempt The dispatcher's preemption flag: once it is set (not 0),
   *   the runnable returns after the message it is handling.
   * @returns `true` when it used the whole budget, or stopped on the flag, and more messages are ready.
   */
  run(budget: number, preempt?: Int32Array): boolean;
  /** Messages handled so far: the dispatcher counts the messages of a turn by it. */
  readonly handled: number;
  /**
   * Owned by the dispatcher: how many more of this runnable's messages it times
   * one by one, since some of them took long (0: it counts them in batches).
   */
  timedMessages: number;
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

/** Messages a fresh run handles before it reads the clock again. */
const FIRST_READING = 16;
/** The batch after the first reading, and after a long one. */
const FIRST_BATCH = 4;
/** The most messages handled between two readings of the clock. */
const MAX_BATCH = 256;
/** Short messages in a row after which an actor that had long ones is counted in batches again. */
const TIMED_MESSAGES = 256;
/** Continuous work after which a yield lets the event loop go idle and poll sockets. */
const IDLE_EVERY_MS = 50;

/** Runs actors that have work, fairly, without starving the event loop. */
export class Scheduler {
  /**
   * The preemption flag, in shared memory: a thread that watches this loop
   * (a host's liveness side) sets it to 1 when the loop missed a tick; the
   * dispatcher then yields after the message being handled, whatever its
   * count or clock readings say, and the host's next tick clears it. Between
   * two messages it costs one atomic read.
   */
  readonly preempt: Int32Array = new Int32Array(new SharedArrayBuffer(4));
  #queue: (Runnable | undefined)[] = [];
  #head = 0;
  #pending = false;
  #resumed = false;
  #busySince = 0;
  #throughput: number;
  #sliceMs: number;
  #longMs: number;

  /** @param options Throughput and time slice. */
  constructor(options: SchedulerOptions = {}) {
    this.#throughput = options.throughput ?? 256;
    this.#sliceMs = options.sliceMs ?? 10;
    // A batch that takes this long may overrun the slice by as much.
    this.#longMs = this.#sliceMs / 4;
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
    const longMs = this.#longMs;
    const preempt = this.preempt;
    // Most runs are a single short turn, and reading the time costs as much as
    // the turn: a fresh run reads the clock only once it has more than one
    // message to handle, and then after each of the next ones until it knows
    // they are short (a handler may compute for seconds). A run that resumes
    // after a yield is continuous work, timed from its start.
    let started = this.#resumed ? performance.now() : 0;
    let last = started;
    // Messages since the last reading, and how many to handle before the next.
    let counted = 0;
    let batch = this.#resumed ? FIRST_BATCH : FIRST_READING;
    this.#resumed = false;
    while (this.#head < queue.length) {
      const runnable = queue[this.#head]!;
      queue[this.#head++] = undefined;
      let left = this.#throughput;
      let again = false;
      do {
        const timed = runnable.timedMessages > 0;
        if (timed && (last === 0 || counted > 0)) {
          // Time its message alone, not with the batch before it.
          last = performance.now();
          if (started === 0) started = last;
          counted = 0;
        }
        const budget = timed ? 1 : Math.min(left, batch - counted);
        const before = runnable.handled;
        try {
          again = runnable.run(budget, preempt);
        } catch (err) {
          again = false;
          console.error("actor runtime bug: a cell threw out of its turn", err);
        }
        left -= budget;
        // A turn without messages (an actor starting) counts as one.
        counted += again ? budget : runnable.handled - before || 1;
        const preempted = Atomics.load(preempt, 0) !== 0;
        if (!timed && counted < batch && !preempted) continue;
        // A fresh run with nothing more to do ends without reading the clock.
        if (last === 0 && !again && this.#head >= queue.length && !preempted) continue;
        const now = performance.now();
        const took = now - last;
        if (last === 0) {
          // The first reading: nothing to judge yet, so the next comes soon.
          started = now;
          batch = FIRST_BATCH;
        } else if (timed) {
          runnable.timedMessages = took * MAX_BATCH < longMs
            ? runnable.timedMessages - 1
            : TIMED_MESSAGES;
        } else if (took >= longMs) {
          // Most likely the batch was long because of the actor that just ran.
          runnable.timedMessages = TIMED_MESSAGES;
          batch = FIRST_BATCH;
        } else {
          // The next batch should take about half as long as a long one.
          batch = Math.min(MAX_BATCH, Math.max(FIRST_BATCH, Math.floor(batch * longMs / 2 / took)));
        }
        last = now;
        counted = 0;
        if (now - started >= this.#sliceMs || preempted) {
          if (again) queue.push(runnable);
          this.#yield(now, preempted);
          return;
        }
      } while (again && left > 0);
      if (again) queue.push(runnable);
      if (this.#head > 4096 && this.#head * 2 > queue.length) this.#compact();
    }
    queue.length = 0;
    this.#head = 0;
    this.#pending = false;
    this.#busySince = 0;
  };

  #yield(now: number, preempted: boolean): void {
    this.#compact();
    this.#resumed = true;
    if (this.#busySince === 0) this.#busySince = now;
    if (now - this.#busySince < IDLE_EVERY_MS && !preempted) {
      setImmediate(this.#run);
    } else {
      this.#busySince = 0;
      setTimeout(this.#run, 0);
    }
  }

  #compact(): void {
    this.#queue.splice(0, this.#head);
    this.#head = 0;
  }
}
