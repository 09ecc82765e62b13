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
 * @module
 */

import { InvalidOptionError } from "../base/errors.ts";

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
 * How many messages an actor may have waiting.
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
    /** What happens to a message that does not fit. @default {"reject"} */
    readonly overflow?: OverflowPolicy;
  };

/** The default mailbox: unbounded. */
export const UNBOUNDED: MailboxOptions = Object.freeze({ kind: "unbounded" });

/**
 * Checks mailbox options and fills in defaults.
 *
 * @throws {InvalidOptionError} For an unknown kind, a capacity that is not a
 *   positive safe integer, or an unknown overflow policy.
 */
export function resolveMailbox(options: MailboxOptions | undefined): MailboxOptions {
  if (options === undefined) return UNBOUNDED;
  switch (options.kind) {
    case "unbounded":
      return UNBOUNDED;
    case "bounded": {
      const { capacity, overflow = "reject" } = options;
      if (!Number.isSafeInteger(capacity) || capacity < 1) {
        throw new InvalidOptionError("mailbox.capacity", capacity, "a positive integer");
      }
      if (overflow !== "reject" && overflow !== "drop-newest" && overflow !== "drop-oldest") {
        throw new InvalidOptionError(
          "mailbox.overflow",
          overflow,
          `"reject", "drop-newest" or "drop-oldest"`,
        );
      }
      return Object.freeze({ kind: "bounded", capacity, overflow });
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

const SLOTS = 3;
/** Above this many slots, an emptied queue gives its memory back. */
const SHRINK_ABOVE_SLOTS = 1024 * SLOTS;
/** Taken slots at the front are reclaimed once there are this many and they are half the array. */
const COMPACT_AFTER_SLOTS = 1024 * SLOTS;

/**
 * An actor's pending messages in two FIFO lanes: user messages, each three
 * values (what to run, the payload, and the pending ask or `undefined` for a
 * tell), and runtime messages, each a handler and a payload, never an ask.
 *
 * User messages are appended at `#tail` (pushing grows the array with V8's own
 * fast copy) and taken from `#head`; the taken front is cut off in bulk, and
 * an empty queue starts again at index 0 so that steady traffic reuses the
 * same slots.
 *
 * The system lane exists only while it holds a message, so that the turn loop
 * pays a single field test for it and a mailbox that never gets one pays
 * nothing else.
 */
export class Mailbox<H, A> {
  #slots: unknown[] = [];
  #head = 0;
  #tail = 0;
  #system: unknown[] | undefined = undefined;
  #systemHead = 0;
  /** The payload of the message last taken (by either take method). */
  takenPayload: unknown = undefined;
  /** The ask of the message last taken (by either take method). */
  takenAsk: A | undefined = undefined;

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

  /** Appends a user message. */
  put(handler: H, payload: unknown, ask: A | undefined): void {
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
    return handler;
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
