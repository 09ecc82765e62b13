/**
 * One actor system's spare mailboxes: a drained mailbox goes back here and
 * the next of the system's actors that gets a message takes it, so that a
 * million actors that have each handled a message hold none, and a burst
 * reuses a queue that already grew (a fresh array halved `local.tell`).
 *
 * A seam passed to the runtime, one per system: two systems in one process
 * (tests, worker hosts) never share spares, and a test can give a system a
 * pool of its own to look into.
 *
 * @module
 */

import { Mailbox, type MailboxOptions } from "./mailbox.ts";

/** How many emptied mailboxes wait for reuse, by default. */
export const DEFAULT_MAX_SPARE_MAILBOXES = 32;

/** Spare mailboxes of one system. */
export class MailboxPool {
  readonly #spares: Mailbox<unknown, unknown>[] = [];
  readonly #maxSpares: number;

  /** @param maxSpares How many emptied mailboxes are kept at most. @default 32 */
  constructor(maxSpares = DEFAULT_MAX_SPARE_MAILBOXES) {
    this.#maxSpares = maxSpares;
  }

  /** How many spares wait now. */
  get spares(): number {
    return this.#spares.length;
  }

  /**
   * An empty mailbox with these limits: a spare that an actor released, or a new one.
   *
   * @param options The limits of the actor that takes it.
   * @returns A mailbox with no message.
   */
  obtain<H, A>(options: MailboxOptions): Mailbox<H, A> {
    const spare = this.#spares.pop() as Mailbox<H, A> | undefined;
    if (spare === undefined) return new Mailbox<H, A>(options);
    spare.setLimits(options);
    return spare;
  }

  /**
   * Takes a mailbox back for reuse, when it can go (see `Mailbox.clearForReuse`).
   *
   * @returns Whether it was taken; if so, the caller must drop every reference to it.
   */
  release(mailbox: Mailbox<unknown, unknown>): boolean {
    if (!mailbox.clearForReuse()) return false;
    if (this.#spares.length < this.#maxSpares) this.#spares.push(mailbox);
    return true;
  }
}
