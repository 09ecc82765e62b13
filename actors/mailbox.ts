/**
 * Mailbox options and the queue that holds an actor's pending messages.
 *
 * The queue is a growable ring buffer of flat slots (three per message) rather
 * than an array of envelope objects: a burst of a million queued tells then
 * costs no allocation per message and nothing for the garbage collector to
 * copy.
 *
 * Runtime messages (a child's exit for its supervisor, lifecycle signals, a
 * restart that is due) wait in a second, small lane that is taken first: a
 * supervisor must react to a crashed child at once, not after the hundred
 * thousand user messages queued before the crash.
 *
 * Every mailbox is bounded by default, by count and by bytes
 * ({@linkcode DEFAULT_MAILBOX}): a sender faster than its receiver (or a
 * flood from another host) gets a typed `MailboxFullError` that names the
 * limit, instead of a process that grows until the OS kills it. The bytes are
 * an estimate chosen to cost nothing measurable on the local hot path: a
 * message from another host counts its envelope's encoded size (known where
 * it is decoded); a local one counts a string's length, or a typed array's or
 * `ArrayBuffer`'s byte length, and 0 for any other value (walking an object
 * graph on every tell would cost more than the whole tell; such messages are
 * bounded by count).
 *
 * @module
 */

import { InvalidOptionError } from "../base/errors.ts";
import { MailboxFullError } from "./errors.ts";

/**
 * What a bounded mailbox does with a message that does not fit:
 * - `"reject"`: refuse it; `tell` throws `MailboxFullError`, `ask` rejects with it;
 * - `"drop-newest"`: drop the new message to the dead letters;
 * - `"drop-oldest"`: drop the oldest queued message to the dead letters and queue the new one.
 *
 * In every case the refused message is also recorded as a dead letter.
 */
export type OverflowPolicy = "reject" | "drop-newest" | "drop-oldest";

/**
 * How many messages (and bytes) an actor may have waiting. `"unbounded"` opts
 * out of every limit; use it only where the senders are trusted and paced.
 *
 * @example
 * ```ts
 * import type { MailboxOptions } from "./mailbox.ts";
 * const bounded: MailboxOptions = { kind: "bounded", capacity: 1_000, overflow: "reject" };
 * ```
 */
export type MailboxOptions =
  | { readonly kind: "unbounded" }
  | {
    readonly kind: "bounded";
    /** The most messages that may wait (the one being handled does not count). */
    readonly capacity: number;
    /**
     * The most bytes that may wait (estimated, see the module docs). A message
     * that arrives at an empty mailbox is always taken, whatever its size.
     * @default {268435456} (256 MiB)
     */
    readonly maxBytes?: number;
    /** What happens to a message that does not fit. @default {"reject"} */
    readonly overflow?: OverflowPolicy;
  };

/** The default count bound of a mailbox: 1,048,576 messages. */
export const DEFAULT_MAILBOX_CAPACITY = 1 << 20;
/** The default bytes bound of a mailbox: 256 MiB. */
export const DEFAULT_MAILBOX_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The mailbox of an actor whose spawn, definition and system say nothing:
 * bounded at {@linkcode DEFAULT_MAILBOX_CAPACITY} messages and
 * {@linkcode DEFAULT_MAILBOX_MAX_BYTES} bytes, refusing what does not fit.
 * Large enough that a program that sends a million small tells in one loop
 * still runs; small enough that a flood is refused long before memory runs out.
 */
export const DEFAULT_MAILBOX: MailboxOptions = Object.freeze({
  kind: "bounded",
  capacity: DEFAULT_MAILBOX_CAPACITY,
  maxBytes: DEFAULT_MAILBOX_MAX_BYTES,
  overflow: "reject",
});

/** The mailbox without limits (opt-in only). */
export const UNBOUNDED: MailboxOptions = Object.freeze({ kind: "unbounded" });

/**
 * Checks mailbox options and fills in defaults.
 *
 * @param options The options given, or `undefined` for `fallback`.
 * @param fallback What `undefined` means.
 * @returns Frozen options with every field filled in.
 * @throws {InvalidOptionError} For an unknown kind, a capacity or `maxBytes`
 *   that is not a positive safe integer, or an unknown overflow policy.
 */
export function resolveMailbox(
  options: MailboxOptions | undefined,
  fallback: MailboxOptions = DEFAULT_MAILBOX,
): MailboxOptions {
  if (options === undefined) return fallback;
  switch (options.kind) {
    case "unbounded":
      return UNBOUNDED;
    case "bounded": {
      const { capacity, maxBytes = DEFAULT_MAILBOX_MAX_BYTES, overflow = "reject" } = options;
      if (!Number.isSafeInteger(capacity) || capacity < 1) {
        throw new InvalidOptionError("mailbox.capacity", capacity, "a positive integer");
      }
      if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
        throw new InvalidOptionError("mailbox.maxBytes", maxBytes, "a positive integer");
      }
      if (overflow !== "reject" && overflow !== "drop-newest" && overflow !== "drop-oldest") {
        throw new InvalidOptionError(
          "mailbox.overflow",
          overflow,
          `"reject", "drop-newest" or "drop-oldest"`,
        );
      }
      return Object.freeze({ kind: "bounded", capacity, maxBytes, overflow });
    }
    default: {
      const unknownKind: never = options;
      throw new InvalidOptionError(
        "mailbox.kind",
        (unknownKind as { kind: unknown }).kind,
        `"unbounded" or "bounded"`,
      );
    }
  }
}

/**
 * The estimated size of a local message's payload (see the module docs):
 * cheap tests only, so that a tell pays nothing measurable for it.
 */
export function payloadBytes(payload: unknown): number {
  if (typeof payload !== "object") return typeof payload === "string" ? payload.length : 0;
  if (payload === null) return 0;
  // One property read (a cached miss for a plain object) instead of
  // `ArrayBuffer.isView` and `instanceof`, which cost the object tell ~10%.
  const bytes = (payload as { byteLength?: unknown }).byteLength;
  return typeof bytes === "number" && bytes > 0 ? bytes : 0;
}

const SLOTS = 3;
/** Above this many slots, an emptied queue gives its memory back. */
const SHRINK_ABOVE_SLOTS = 1024 * SLOTS;
/** Taken slots at the front are reclaimed once there are this many and they are half the array. */
const COMPACT_AFTER_SLOTS = 1024 * SLOTS;

/**
 * An actor's pending messages in two FIFO lanes: user messages, each three
 * values (what to run, the payload, and the pending ask or `undefined` for a
 * tell), and runtime messages, each a handler and a payload, never an ask.
 * Only user messages count against the limits.
 *
 * The bytes of a user message are kept apart, and only for messages that
 * have any (`#sized`: pairs of a message's sequence number and its bytes):
 * a fourth slot per message made a burst of small tells measurably slower,
 * and most local messages count 0 bytes.
 *
 * User messages are appended at `#tail` (pushing grows the array with V8's own
 * fast copy) and taken from `#head`; the taken front is cut off in bulk, and
 * an empty queue starts again at index 0 so that steady traffic reuses the
 * same slots.
 *
 * The system lane exists only while it holds a message, so that the turn loop
 * pays a single field test for it and a mailbox that never gets one pays
 * nothing else.
 *
 * An actor holds a mailbox only while messages wait: a drained one goes
 * back to its system's pool of spares (`mailbox_pool.ts`) and the next
 * actor that gets a message takes one, so a million actors that have each
 * handled a message hold none. A spare keeps its slots
 * array (up to the bound an emptied queue keeps):
 * dropping it made every burst grow a fresh array from empty, which halved
 * `local.tell` (measured: 1M tells into a fresh array ran at 2-3M msg/s, into
 * a kept one at 5-6M msg/s).
 */
export class Mailbox<H, A> {
  #slots: unknown[] = [];
  #head = 0;
  #tail = 0;
  #bytes = 0;
  /** Sequence numbers of the next user message put and taken. */
  #putSeq = 0;
  #takeSeq = 0;
  /** For queued user messages with bytes: their sequence numbers and bytes, in order. */
  #sized: number[] | undefined = undefined;
  #sizedHead = 0;
  #capacitySlots: number;
  #maxBytes: number;
  #system: unknown[] | undefined = undefined;
  /** Senders awaiting room (`ref.whenRoom()`), oldest first; `undefined` while none wait. */
  #roomWaiters: (() => void)[] | undefined = undefined;
  #systemHead = 0;
  /** The payload of the message last taken (by either take method). */
  takenPayload: unknown = undefined;
  /** The ask of the message last taken (by either take method). */
  takenAsk: A | undefined = undefined;

  /**
   * @param options The limits; `"unbounded"` (or none) for none.
   */
  constructor(options?: MailboxOptions) {
    const bounded = options?.kind === "bounded";
    this.#capacitySlots = bounded ? options.capacity * SLOTS : Infinity;
    this.#maxBytes = bounded ? options.maxBytes ?? DEFAULT_MAILBOX_MAX_BYTES : Infinity;
  }

  /** Takes these limits (a spare, reused by another actor). */
  setLimits(options: MailboxOptions): void {
    const bounded = options.kind === "bounded";
    this.#capacitySlots = bounded ? options.capacity * SLOTS : Infinity;
    this.#maxBytes = bounded ? options.maxBytes ?? DEFAULT_MAILBOX_MAX_BYTES : Infinity;
  }

  /**
   * Readies this mailbox for reuse by another actor, when it can go: it is
   * empty and no sender waits for room in it (those wait on this very
   * mailbox). Nothing of its last message is kept.
   *
   * @returns Whether it is ready; if so, its actor must drop every reference to it.
   */
  clearForReuse(): boolean {
    if (this.#tail !== this.#head || this.#system !== undefined) return false;
    if (this.#roomWaiters !== undefined) return false;
    this.takenPayload = undefined;
    this.takenAsk = undefined;
    return true;
  }

  /** The estimated bytes of the queued user messages. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The typed refusal of a message that does not {@linkcode Mailbox.fits},
   * naming the bound it reached.
   */
  refusal(actorId: string, messageName: string): MailboxFullError {
    const capacity = this.#capacitySlots / SLOTS;
    return this.#tail - this.#head >= this.#capacitySlots
      ? new MailboxFullError(actorId, capacity, messageName)
      : new MailboxFullError(actorId, capacity, messageName, { maxBytes: this.#maxBytes });
  }

  /**
   * Whether a user message of `bytes` fits: fewer messages wait than the
   * capacity, and the bytes stay within the limit (or nothing waits).
   */
  fits(bytes: number): boolean {
    const queued = this.#tail - this.#head;
    return queued < this.#capacitySlots && (this.#bytes + bytes <= this.#maxBytes || queued === 0);
  }

  /**
   * How many user messages are queued. Runtime messages are left out: a
   * bounded mailbox's capacity and the depth that stats report are about
   * what senders queued.
   */
  get length(): number {
    return (this.#tail - this.#head) / SLOTS;
  }

  /** How many runtime messages wait in the system lane. */
  get systemLength(): number {
    const system = this.#system;
    return system === undefined ? 0 : (system.length - this.#systemHead) / 2;
  }

  /** Whether neither lane holds a message. */
  get isEmpty(): boolean {
    return this.#tail === this.#head && this.#system === undefined;
  }

  /** Appends a user message of an estimated `bytes` (the caller checked it {@linkcode Mailbox.fits}). */
  put(handler: H, payload: unknown, ask: A | undefined, bytes: number): void {
    const slots = this.#slots;
    const at = this.#tail;
    if (at === slots.length) {
      slots.push(handler, payload, ask);
    } else {
      slots[at] = handler;
      slots[at + 1] = payload;
      slots[at + 2] = ask;
    }
    this.#tail = at + SLOTS;
    const seq = this.#putSeq++;
    if (bytes !== 0) {
      (this.#sized ??= []).push(seq, bytes);
      this.#bytes += bytes;
    }
  }

  /** Appends a runtime message to the system lane; it is taken before any user message. */
  putSystem(handler: H, payload: unknown): void {
    (this.#system ??= []).push(handler, payload);
  }

  /**
   * Removes the next message to handle and returns its handler: the oldest
   * runtime message if there is one, else the oldest user message. Its
   * payload and ask are left in `takenPayload` and `takenAsk`. Call only when
   * the mailbox is not {@linkcode Mailbox.isEmpty}.
   */
  takeNext(): H {
    return this.#system === undefined ? this.take() : this.#takeSystem(this.#system);
  }

  /**
   * Removes the oldest user message and returns its handler; its payload and
   * ask are left in `takenPayload` and `takenAsk`. Call only when `length > 0`.
   */
  take(): H {
    const slots = this.#slots;
    const at = this.#head;
    const handler = slots[at] as H;
    this.takenPayload = slots[at + 1];
    this.takenAsk = slots[at + 2] as A | undefined;
    const seq = this.#takeSeq++;
    const sized = this.#sized;
    if (sized !== undefined && sized[this.#sizedHead] === seq) this.#takeSized(sized);
    slots[at] = slots[at + 1] = slots[at + 2] = undefined;
    const head = at + SLOTS;
    if (head === this.#tail) {
      this.#head = this.#tail = 0;
      if (slots.length > SHRINK_ABOVE_SLOTS) this.#slots = [];
    } else if (head >= COMPACT_AFTER_SLOTS && head * 2 >= this.#tail) {
      slots.splice(0, head);
      this.#tail -= head;
      this.#head = 0;
    } else {
      this.#head = head;
    }
    if (this.#roomWaiters !== undefined) this.#wakeRoomWaiter(this.#roomWaiters);
    return handler;
  }

  /**
   * Resolves once one more user message fits (now, if it does). Each message
   * taken wakes one waiter, oldest first: the slot it freed is theirs.
   */
  whenRoom(): Promise<void> {
    if (this.fits(0)) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    (this.#roomWaiters ??= []).push(resolve);
    return promise;
  }

  /** Wakes every waiter: the mailbox is going away, so their sends go to the dead letters. */
  releaseRoomWaiters(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = undefined;
    for (const resolve of waiters ?? []) resolve();
  }

  #wakeRoomWaiter(waiters: (() => void)[]): void {
    if (!this.fits(0)) return;
    const resolve = waiters.shift()!;
    if (waiters.length === 0) this.#roomWaiters = undefined;
    resolve();
  }

  #takeSized(sized: number[]): void {
    const at = this.#sizedHead;
    this.#bytes -= sized[at + 1];
    if (at + 2 === sized.length) {
      this.#sized = undefined;
      this.#sizedHead = 0;
    } else if (at >= 1024) {
      sized.splice(0, at + 2);
      this.#sizedHead = 0;
    } else {
      this.#sizedHead = at + 2;
    }
  }

  #takeSystem(system: unknown[]): H {
    // The lane is drained before any user message, so it empties soon: its
    // taken front is only cleared, and the whole array dropped when empty.
    const at = this.#systemHead;
    const handler = system[at] as H;
    this.takenPayload = system[at + 1];
    this.takenAsk = undefined;
    if (at + 2 === system.length) {
      this.#system = undefined;
      this.#systemHead = 0;
    } else {
      system[at] = system[at + 1] = undefined;
      this.#systemHead = at + 2;
    }
    return handler;
  }
}
