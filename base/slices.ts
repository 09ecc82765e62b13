/**
 * Framework work that yields. A host's heartbeats, timers and sockets share
 * one event loop with everything else, so a long step of the framework
 * itself (an inspection of a million actors, a flood of frames) runs in
 * slices of a few milliseconds, and the loop gets a turn between slices.
 *
 * A long step is written once, as a generator that `yield`s wherever it may
 * pause (every few hundred items: the clock is read only there). Then
 * {@linkcode runInSlices} runs it with a turn of the event loop whenever a
 * slice is spent, and {@linkcode runAtOnce} runs it to the end in one go,
 * for the few callers that need an answer at once and document the cost.
 *
 * Why `setTimeout(fn, 0)` (measured on Deno 2.9, see `actors/scheduler.ts`):
 * resolving a promise runs in the same turn (a microtask), so due timers
 * would still wait; a `MessageChannel` message leaves timers and sockets
 * waiting for dozens of messages; a zero timer gives timers and sockets their
 * turn, for about 2 ms of idle loop per yield, which is small beside a slice.
 *
 * @example
 * ```ts
 * import { runInSlices, type Steps } from "./slices.ts";
 *
 * function* sum(values: readonly number[]): Steps<number> {
 *   let total = 0;
 *   for (let i = 0; i < values.length; i++) {
 *     total += values[i];
 *     if (i % 1024 === 1023) yield;
 *   }
 *   return total;
 * }
 * console.log(await runInSlices(sum(Array.from({ length: 1e6 }, (_, i) => i))));
 * ```
 *
 * @module
 */

/** How long a slice of framework work runs before the event loop gets a turn, in milliseconds. */
export const SLICE_MS = 10;

/**
 * A stretch of a {@linkcode StepQueue}'s work that took less than this, in
 * milliseconds, ends with the task that started it (see {@linkcode StepQueue}).
 */
export const QUICK_TASK_MS = 1;

/** How many items a step handles between two pause points (clock reads). */
export const ITEMS_PER_PAUSE = 512;

/**
 * A long step: a generator that yields (nothing) wherever it may pause, and
 * returns its result.
 */
export type Steps<T> = Generator<void, T, void>;

/**
 * Resolves on a later turn of the event loop, after due timers and ready I/O
 * have run.
 *
 * @returns A promise that resolves after a zero-delay timer.
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs a long step in slices of about `sliceMs`, giving the event loop a
 * turn between slices.
 *
 * @param steps The step, started (a generator object).
 * @param sliceMs How long one slice may run, in milliseconds ({@linkcode SLICE_MS} unless given).
 * @returns What the step returns.
 * @throws Whatever the step throws.
 */
export async function runInSlices<T>(steps: Steps<T>, sliceMs: number = SLICE_MS): Promise<T> {
  let startedMs = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - startedMs >= sliceMs) {
      await yieldToLoop();
      startedMs = performance.now();
    }
  }
}

/**
 * Runs a long step to its end in one go, blocking the event loop for as
 * long as it takes. Only for answers that must be synchronous (a display)
 * and steps known to be short.
 *
 * @param steps The step, started (a generator object).
 * @returns What the step returns.
 * @throws Whatever the step throws.
 */
export function runAtOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Long steps run one after another, in the order they were added, in
 * slices: while the queue's work in the current turn of the event loop is
 * shorter than a slice, a step added runs at once, so a short piece of work
 * waits for nothing; past that, the rest runs after a turn of the loop.
 *
 * The queue's work in a turn (a stretch) is timed from its first step.
 * When the task that started it took the queue less than
 * {@linkcode QUICK_TASK_MS} (a lone ask, a reply), the stretch ends with that
 * task; a longer one lasts until the loop's next turn (a zero timer, which
 * costs a few microseconds: too much to pay for every small batch).
 *
 * @example
 * ```ts
 * import { StepQueue } from "./slices.ts";
 *
 * const seen: number[] = [];
 * const queue = new StepQueue((err) => console.error(err));
 * queue.push((function* () {
 *   for (let i = 0; i < 3; i++) {
 *     seen.push(i);
 *     yield;
 *   }
 * })());
 * console.log(seen); // [0, 1, 2]: a short step runs at once
 * ```
 */
export class StepQueue {
  readonly #onError: (error: unknown) => void;
  readonly #sliceMs: number;
  #queue: Steps<unknown>[] = [];
  #head = 0;
  #running = false;
  #resumeScheduled = false;
  #resumeTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the queue first ran in this turn of the event loop; `undefined` after a turn. */
  #stretchStartedMs: number | undefined;

  /**
   * Makes an empty queue.
   *
   * @param onError Told about a step that threw; that step is dropped, the others run.
   * @param sliceMs How long a stretch of work may run, in milliseconds ({@linkcode SLICE_MS} unless given).
   */
  constructor(onError: (error: unknown) => void, sliceMs: number = SLICE_MS) {
    this.#onError = onError;
    this.#sliceMs = sliceMs;
  }

  /** How many steps have not finished (the one running included). */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Adds a step behind those already waiting, and runs what the current
   * slice has time for.
   *
   * @param steps The step, started (a generator object).
   */
  push(steps: Steps<unknown>): void {
    this.#queue.push(steps);
    if (!this.#running && !this.#resumeScheduled) this.#run();
  }

  /**
   * Runs every step left to its end now, in one go (when the owner stops:
   * what was accepted is still handled, and no timer is left behind).
   */
  finish(): void {
    if (this.#running) return;
    clearTimeout(this.#resumeTimer);
    this.#resumeScheduled = false;
    this.#run(Infinity);
  }

  #run(sliceMs: number = this.#sliceMs): void {
    this.#running = true;
    try {
      if (this.#stretchStartedMs === undefined) {
        this.#stretchStartedMs = performance.now();
        queueMicrotask(this.#taskEnded);
      }
      while (this.#head < this.#queue.length) {
        if (performance.now() - this.#stretchStartedMs >= sliceMs) {
          this.#resumeScheduled = true;
          this.#resumeTimer = setTimeout(this.#resume, 0);
          return;
        }
        let done: boolean | undefined;
        try {
          done = this.#queue[this.#head].next().done;
        } catch (err) {
          done = true;
          this.#onError(err);
        }
        if (done) this.#queue[this.#head++] = undefined as never;
        if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
          this.#queue.splice(0, this.#head);
          this.#head = 0;
        }
      }
      this.#queue = [];
      this.#head = 0;
    } finally {
      this.#running = false;
    }
  }

  /** The task that started the stretch is over: a quick stretch ends with it. */
  #taskEnded = (): void => {
    const started = this.#stretchStartedMs;
    // With a resume waiting, the resume starts the next stretch.
    if (started === undefined || this.#resumeScheduled) return;
    if (performance.now() - started < QUICK_TASK_MS) this.#stretchStartedMs = undefined;
    else setTimeout(this.#endStretch, 0);
  };

  #endStretch = (): void => {
    this.#stretchStartedMs = undefined;
  };

  #resume = (): void => {
    this.#resumeScheduled = false;
    this.#stretchStartedMs = undefined;
    this.#run();
  };
}
