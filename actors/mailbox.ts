/**
 * Mailbox options and the queue that holds an actor's pending messages.
 *
 * The queue is a growable ring buffer of flat slots (three per message) rather
 * than an array of envelope objects: a burst of a million queued tells then
 * costs no allocation per message and nothing for the garbage collector to
 * copy.
 *
 * @module
 */

import { InvalidOptionError } from "./errors.ts";

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
const INITIAL_SLOTS = 4 * SLOTS;
const SHRINK_ABOVE_SLOTS = 1024 * SLOTS;

/**
 * A FIFO of messages, each three values: what to run, the payload, and the
 * pending ask (or `undefined` for a tell).
 */
export class Mailbox<H, A> {
  #slots: unknown[] = new Array(INITIAL_SLOTS);
  #head = 0;
  #length = 0;
  /** The payload of the message last returned by {@linkcode Mailbox.take}. */
  takenPayload: unknown = undefined;
  /** The ask of the message last returned by {@linkcode Mailbox.take}. */
  takenAsk: A | undefined = undefined;

  /** How many messages are queued. */
  get length(): number {
    return this.#length;
  }

  /** Appends a message. */
  put(handler: H, payload: unknown, ask: A | undefined): void {
    let slots = this.#slots;
    if (this.#length * SLOTS === slots.length) slots = this.#grow();
    let at = this.#head + this.#length * SLOTS;
    if (at >= slots.length) at -= slots.length;
    slots[at] = handler;
    slots[at + 1] = payload;
    slots[at + 2] = ask;
    this.#length++;
  }

  /**
   * Removes the oldest message and returns its handler; its payload and ask
   * are left in `takenPayload` and `takenAsk`. Call only when `length > 0`.
   */
  take(): H {
    const slots = this.#slots;
    const at = this.#head;
    const handler = slots[at] as H;
    this.takenPayload = slots[at + 1];
    this.takenAsk = slots[at + 2] as A | undefined;
    slots[at] = slots[at + 1] = slots[at + 2] = undefined;
    this.#length--;
    if (this.#length === 0) {
      this.#head = 0;
      if (slots.length > SHRINK_ABOVE_SLOTS) this.#slots = new Array(INITIAL_SLOTS);
    } else {
      this.#head = at + SLOTS === slots.length ? 0 : at + SLOTS;
    }
    return handler;
  }

  #grow(): unknown[] {
    const old = this.#slots;
    const next = new Array(old.length * 2);
    const used = this.#length * SLOTS;
    for (let i = 0, at = this.#head; i < used; i++) {
      next[i] = old[at];
      if (++at === old.length) at = 0;
    }
    this.#slots = next;
    this.#head = 0;
    return next;
  }
}
