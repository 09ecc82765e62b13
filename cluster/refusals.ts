/**
 * Refusals of tells that came from other hosts, counted before they go back.
 * A tell this host cannot queue goes back to its sender, whose dead letter
 * is the only record of it. A flood (a sender telling an actor this host
 * does not have, hundreds of thousands of times) would go back as as many
 * frames, and leave as many records: refusals of one sender's tells to one
 * actor, with one name and one reason, made in one stretch of work are
 * counted instead, and go back as one frame 7 with their count (a lone
 * refusal still goes back as frame 4, with its body).
 *
 * @module
 */

import type { DeadLetterReason } from "../actors/internal.ts";

/** Refused tells of one sender to one actor, with one name and one reason. */
export interface TalliedRefusal {
  /** The sending host, where the refusal goes. */
  readonly host: string;
  /** The target actor's id. */
  readonly to: string;
  /** The message name. */
  readonly name: string;
  /** Why they were refused. */
  readonly reason: DeadLetterReason;
  /** The target's actor type, when this host knows it. */
  readonly type: string | undefined;
  /** The body of the first of them. */
  readonly body: unknown;
  /** How many were refused (at least 1). */
  readonly count: number;
}

interface Tally {
  readonly host: string;
  readonly to: string;
  readonly name: string;
  readonly reason: DeadLetterReason;
  readonly type: string | undefined;
  readonly body: unknown;
  count: number;
}

/** Counts refusals until the current stretch of work ends, then sends one notice per kind. */
export class RefusalTally {
  readonly #send: (refusal: TalliedRefusal) => void;
  #pending = new Map<string, Tally>();
  /** The kind counted last: a flood is one kind over and over, counted without a lookup. */
  #last: Tally | undefined;
  #scheduled = false;
  readonly #counted: Record<string, number> = {};

  /**
   * Makes an empty tally.
   *
   * @param send Sends the notice of one kind of refusal (frame 4, or frame 7 for several).
   */
  constructor(send: (refusal: TalliedRefusal) => void) {
    this.#send = send;
  }

  /**
   * Counts one refused tell; the notices go out in a microtask, once the
   * synchronous work that refused it is over.
   *
   * @param host The sending host.
   * @param to The target actor's id.
   * @param name The message name.
   * @param reason Why it was refused.
   * @param type The target's actor type, when known.
   * @param body The tell's body.
   */
  add(
    host: string,
    to: string,
    name: string,
    reason: DeadLetterReason,
    type: string | undefined,
    body: unknown,
  ): void {
    this.#countLimit(reason);
    const last = this.#last;
    if (
      last !== undefined && last.to === to && last.name === name && last.reason === reason &&
      last.host === host
    ) {
      last.count++;
      return;
    }
    const key = `${host}\u0000${to}\u0000${name}\u0000${reason}`;
    const tally = this.#pending.get(key);
    if (tally !== undefined) {
      tally.count++;
      this.#last = tally;
      return;
    }
    this.#last = { host, to, name, reason, type, body, count: 1 };
    this.#pending.set(key, this.#last);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /**
   * Counts an ask from another host that was refused (its asker gets the
   * typed error in a reply, not a frame from here).
   */
  askRefused(reason: DeadLetterReason): void {
    this.#countLimit(reason);
  }

  /** A full mailbox is a limit at work: the receiving host reports it too. */
  #countLimit(reason: DeadLetterReason): void {
    if (reason === "mailbox-full") this.#counted[reason] = (this.#counted[reason] ?? 0) + 1;
  }

  /** Refusals this host reports in its inspection, by reason (`mailbox-full`). */
  get counted(): Readonly<Record<string, number>> {
    return { ...this.#counted };
  }

  /** Sends every counted refusal now, in the order their kinds were first seen. */
  flush = (): void => {
    this.#scheduled = false;
    const pending = this.#pending;
    this.#pending = new Map();
    this.#last = undefined;
    for (const tally of pending.values()) this.#send(tally);
  };
}
