/**
 * Waiting for a SQLite file that another process has locked, without
 * blocking the event loop. SQLite's own `busy_timeout` sleeps inside the
 * call, so a locked file would freeze the whole host (heartbeats included)
 * for as long as the timeout, on every call. The file store sets it to 0:
 * a call on a locked file fails at once with `SQLITE_BUSY`, and this queue
 * tries it again on a timer, backing off, until the file is free or the
 * call has waited its `busyTimeoutMs`.
 *
 * Calls run in the order they were made: while one waits for the lock, the
 * later ones wait behind it, as they would behind a blocking call.
 *
 * @module
 */

import { SLICE_MS, yieldToLoop } from "../base/slices.ts";

/** The first wait after a call found the file locked, in milliseconds. */
const FIRST_BACKOFF_MS = 1;
/** The longest wait between two tries, in milliseconds. */
const MAX_BACKOFF_MS = 50;

/** What a try of a call came to. */
type Outcome<T> =
  | { readonly kind: "done"; readonly value: T }
  | { readonly kind: "failed"; readonly error: unknown }
  | { readonly kind: "busy"; readonly error: unknown };

interface Waiting {
  readonly body: () => unknown;
  readonly startedMs: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timedOut: (cause: unknown) => Error;
}

/**
 * Whether SQLite refused because another connection holds a lock
 * (`SQLITE_BUSY`, `SQLITE_LOCKED` and their extended codes).
 *
 * @param err What a `node:sqlite` call threw.
 * @returns `true` for a lock that may be gone on the next try.
 */
export function isBusy(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { errcode?: unknown }).errcode;
  if (typeof code === "number") return (code & 0xff) === 5 || (code & 0xff) === 6;
  // `exec` errors carry no code, only SQLite's message.
  return /^database (table )?is (locked|busy)/.test(err.message);
}

/** Runs synchronous SQLite calls in order, waiting on timers while the file is locked. */
export class BusyQueue {
  readonly #busyTimeoutMs: number;
  readonly #waiting: Waiting[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #draining = false;
  #backoffMs = FIRST_BACKOFF_MS;

  /**
   * Makes an empty queue.
   *
   * @param busyTimeoutMs How long one call may wait for the lock in all, in milliseconds.
   */
  constructor(busyTimeoutMs: number) {
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /**
   * Runs `body` now when nothing waits and the file is free; else queues it
   * and tries again later.
   *
   * @param body The synchronous SQLite work; it must leave no transaction open when it throws.
   * @param timedOut The error a call that waited `busyTimeoutMs` in vain rejects with.
   * @returns What `body` returned.
   * @throws What `body` threw, when that was not a lock; else `timedOut(lastBusyError)`.
   */
  run<T>(body: () => T, timedOut: (cause: unknown) => Error): Promise<T> {
    if (this.#waiting.length === 0) {
      const outcome = attempt(body);
      if (outcome.kind === "done") return Promise.resolve(outcome.value);
      if (outcome.kind === "failed") return Promise.reject(outcome.error);
      if (this.#busyTimeoutMs <= 0) return Promise.reject(timedOut(outcome.error));
    }
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#waiting.push({
      body,
      startedMs: performance.now(),
      resolve: resolve as (value: unknown) => void,
      reject,
      timedOut,
    });
    if (this.#waiting.length === 1 && !this.#draining) this.#retryLater(FIRST_BACKOFF_MS);
    return promise;
  }

  /** Rejects every waiting call with `error` (the store is closing). */
  cancel(error: () => Error): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const call of this.#waiting.splice(0)) call.reject(error());
  }

  #retryLater(delayMs: number): void {
    this.#timer = setTimeout(async () => {
      this.#timer = undefined;
      this.#draining = true;
      try {
        await this.#drain();
      } finally {
        this.#draining = false;
      }
    }, delayMs);
  }

  /** Tries the waiting calls in order, in slices, until one finds the file locked. */
  async #drain(): Promise<void> {
    let sliceStartedMs = performance.now();
    while (this.#waiting.length > 0) {
      const call = this.#waiting[0];
      const outcome = attempt(call.body);
      const now = performance.now();
      if (outcome.kind === "busy") {
        const leftMs = call.startedMs + this.#busyTimeoutMs - now;
        if (leftMs > 0) {
          // Jitter keeps processes that wait for one file from trying in step.
          const delayMs = Math.min(leftMs, this.#backoffMs * (0.5 + Math.random()));
          this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs * 2);
          return this.#retryLater(delayMs);
        }
        this.#waiting.shift();
        call.reject(call.timedOut(outcome.error));
      } else {
        this.#backoffMs = FIRST_BACKOFF_MS;
        this.#waiting.shift();
        if (outcome.kind === "done") call.resolve(outcome.value);
        else call.reject(outcome.error);
      }
      if (now - sliceStartedMs >= SLICE_MS && this.#waiting.length > 0) {
        await yieldToLoop();
        sliceStartedMs = performance.now();
      }
    }
  }
}

function attempt<T>(body: () => T): Outcome<T> {
  try {
    return { kind: "done", value: body() };
  } catch (error) {
    return isBusy(error) ? { kind: "busy", error } : { kind: "failed", error };
  }
}
