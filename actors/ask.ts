/**
 * Pending asks and their deadlines.
 *
 * A platform timer per ask costs about 2.4 µs to set and clear on our
 * machines, more than the whole target budget of a local ask (1 µs). So the
 * tracker keeps one timer for all asks: asks with the same timeout expire in
 * the order they were made, so each timeout value gets a FIFO bucket, and the
 * single timer is armed for the earliest deadline among the bucket heads.
 * Settled asks are dropped from the buckets lazily.
 *
 * @module
 */

import { AskAbortedError, AskTimeoutError } from "./errors.ts";
import type { Clock, TimerHandle } from "../base/clock.ts";

/**
 * Where an ask's reply goes: the asker's {@linkcode PendingAsk} on this host,
 * or a correlation id on the asking host. The asker owns the only deadline;
 * the receiving side only reads `settled`, to skip an ask nobody waits for.
 */
export interface ReplyTarget {
  /** True once nobody waits for a reply any more (answered, timed out or aborted). */
  readonly settled: boolean;
  /**
   * True when the asker is on another host: a refusal sent back to it is
   * recorded there, as its one dead letter, so none is recorded here.
   */
  readonly remote?: boolean;
  /**
   * When the asker stops waiting, on this host's clock: a host that forwards
   * the ask keeps this deadline rather than its own default timeout.
   */
  readonly deadlineMs?: number;
  /** Delivers the reply; one that comes after the deadline is a dead letter on the asker. */
  resolve(value: unknown): void;
  /** Delivers a typed error instead of a reply. */
  reject(reason: unknown): void;
}

/** Who was asked: enough to name the target in errors. */
export interface AskTarget {
  /** The id of the asked actor. */
  readonly id: string;
  /** The type of the asked actor. */
  readonly type: string;
}

/** Called with the reply of an ask that had already timed out or been aborted. */
export type LateReplyListener = (ask: PendingAsk, reply: unknown) => void;

/** One ask waiting for its reply. Settles exactly once. */
/**
 * The host a tell came from, kept with the tell in the mailbox: a tell that
 * is never handled here (still queued when its actor stops, or evicted by
 * `drop-oldest`) goes back there, where its one dead letter is recorded.
 */
export abstract class TellOrigin {
  /**
   * Sends a tell that will not be handled back to its sender.
   *
   * @param to The actor it was for.
   * @param type That actor's type.
   * @param name The message name.
   * @param payload The payload.
   * @param error Why it is not handled (`ActorStoppedError` or `MailboxFullError`).
   */
  abstract refused(to: string, type: string, name: string, payload: unknown, error: Error): void;
}

export class PendingAsk implements ReplyTarget {
  /** The promise the asker awaits. */
  readonly promise: Promise<unknown>;
  /** The asked actor. */
  readonly target: AskTarget;
  /** The asked message. */
  readonly messageName: string;
  /** When the ask times out, in clock milliseconds. */
  deadline = 0;
  /** The timeout of this ask, in milliseconds. */
  readonly timeoutMs: number;
  /** True once the ask has a reply, an error, a timeout or an abort. */
  settled = false;
  /** Called once when the ask settles (remote asks forget their correlation id). */
  onSettled: (() => void) | undefined = undefined;
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;
  #tracker: AskTracker;
  #signal: AbortSignal | undefined;

  /** Created by {@linkcode AskTracker.create}. */
  constructor(
    tracker: AskTracker,
    target: AskTarget,
    messageName: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#tracker = tracker;
    this.target = target;
    this.messageName = messageName;
    this.timeoutMs = timeoutMs;
    this.#signal = signal;
    if (signal !== undefined) signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** When the ask times out, in clock milliseconds (see {@linkcode ReplyTarget.deadlineMs}). */
  get deadlineMs(): number {
    return this.deadline;
  }

  /** Delivers the reply; a reply after a timeout or abort goes to the late-reply listener. */
  resolve(value: unknown): void {
    if (this.settled) {
      this.#tracker.lateReply(this, value);
      return;
    }
    this.#settle();
    this.#resolve(value);
  }

  /** Rejects the ask; ignored when it has already settled. */
  reject(reason: unknown): void {
    if (this.settled) return;
    this.#settle();
    this.#reject(reason);
  }

  #settle(): void {
    this.settled = true;
    this.#tracker.closed();
    this.onSettled?.();
    if (this.#signal !== undefined) this.#signal.removeEventListener("abort", this.#onAbort);
  }

  #onAbort = (): void => {
    this.reject(
      new AskAbortedError(this.target.id, this.messageName, { cause: this.#signal?.reason }),
    );
  };
}

interface Bucket {
  readonly items: (PendingAsk | undefined)[];
  /** The oldest live slot. */
  head: number;
  /** One past the newest slot; slots from `tail` on are free for reuse. */
  tail: number;
}

/** Owns the deadlines of all pending asks of one actor system. */
export class AskTracker {
  #clock: Clock;
  #buckets = new Map<number, Bucket>();
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #open = 0;
  /** Whether the timer currently keeps the process alive. */
  #kept = true;
  #idleCheckPending = false;
  #onLateReply: LateReplyListener;

  /**
   * @param clock The time source and timer.
   * @param onLateReply Receives replies that arrive after their ask settled.
   */
  constructor(clock: Clock, onLateReply: LateReplyListener) {
    this.#clock = clock;
    this.#onLateReply = onLateReply;
  }

  /** How many asks are waiting. */
  get open(): number {
    return this.#open;
  }

  /**
   * Starts an ask and its deadline.
   *
   * @param target The asked actor.
   * @param messageName The asked message.
   * @param timeoutMs A validated positive finite timeout.
   * @param signal An optional abort signal; an already aborted one rejects at once.
   */
  create(
    target: AskTarget,
    messageName: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): PendingAsk {
    const ask = new PendingAsk(this, target, messageName, timeoutMs, signal);
    this.#open++;
    if (signal?.aborted) {
      ask.reject(new AskAbortedError(target.id, messageName, { cause: signal.reason }));
      return ask;
    }
    const deadline = this.#clock.now() + timeoutMs;
    ask.deadline = deadline;
    let bucket = this.#buckets.get(timeoutMs);
    if (bucket === undefined) {
      bucket = { items: [], head: 0, tail: 0 };
      this.#buckets.set(timeoutMs, bucket);
    }
    compact(bucket);
    if (bucket.tail === bucket.items.length) bucket.items.push(ask);
    else bucket.items[bucket.tail] = ask;
    bucket.tail++;
    if (!this.#kept && this.#timer !== undefined) {
      this.#clock.keepAlive(this.#timer, true);
      this.#kept = true;
    }
    if (deadline < this.#timerAt) this.#arm(deadline);
    return ask;
  }

  /** Rejects every open ask with the given error (used at shutdown). */
  rejectAll(makeError: (ask: PendingAsk) => unknown): void {
    for (const bucket of this.#buckets.values()) {
      for (let i = bucket.head; i < bucket.tail; i++) {
        const ask = bucket.items[i]!;
        if (!ask.settled) ask.reject(makeError(ask));
      }
    }
    this.#buckets.clear();
    this.#disarm();
  }

  /** @internal Called by a pending ask when it settles. */
  closed(): void {
    // When no ask is open, the deadline timer must stop keeping the process
    // alive. Sequential asks open and close one at a time, so the check waits
    // for a macrotask: a loop of asks never toggles the timer.
    if (--this.#open === 0 && !this.#idleCheckPending) {
      this.#idleCheckPending = true;
      setTimeout(this.#checkIdle, 0);
    }
  }

  #checkIdle = (): void => {
    this.#idleCheckPending = false;
    if (this.#open === 0 && this.#kept && this.#timer !== undefined) {
      this.#clock.keepAlive(this.#timer, false);
      this.#kept = false;
    }
  };

  /** @internal Called by a pending ask that got a reply after it settled. */
  lateReply(ask: PendingAsk, reply: unknown): void {
    this.#onLateReply(ask, reply);
  }

  #arm(at: number): void {
    this.#disarm();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(this.#expire, Math.max(0, at - this.#clock.now()));
    this.#kept = this.#open > 0;
    if (!this.#kept) this.#clock.keepAlive(this.#timer, false);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #expire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const [timeoutMs, bucket] of this.#buckets) {
      const { items } = bucket;
      while (bucket.head < bucket.tail) {
        const ask = items[bucket.head]!;
        if (!ask.settled && ask.deadline > now) break;
        items[bucket.head++] = undefined;
        if (!ask.settled) {
          ask.reject(new AskTimeoutError(ask.target.id, ask.messageName, ask.timeoutMs));
        }
      }
      compact(bucket);
      if (bucket.head === bucket.tail) this.#buckets.delete(timeoutMs);
      else next = Math.min(next, items[bucket.head]!.deadline);
    }
    if (next !== Infinity) this.#arm(next);
  };
}

/** Drops settled asks from the front of a bucket and reclaims the space they used. */
function compact(bucket: Bucket): void {
  const { items } = bucket;
  while (bucket.head < bucket.tail && items[bucket.head]!.settled) items[bucket.head++] = undefined;
  if (bucket.head === bucket.tail) {
    bucket.head = bucket.tail = 0;
    if (items.length > 1024) items.length = 0;
  } else if (bucket.head > 1024 && bucket.head * 2 > bucket.tail) {
    items.splice(0, bucket.head);
    bucket.tail -= bucket.head;
    bucket.head = 0;
  }
}
