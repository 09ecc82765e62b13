/**
 * Answers to discovery requests (`R.<from>.discover`): a host answers the
 * asker alone at once, and once more a spacing later, so that the asker
 * admits it at once (admission needs two announcements). Requests that come
 * while a second answer is pending share its timer, and a flood of made-up
 * requesters is not a flood of answers (`MAX_PENDING_ANSWERS`).
 *
 * @module
 */

import type { Clock, TimerHandle } from "../base/clock.ts";

/** Discovery requesters awaiting their second answer, at most. */
export const MAX_PENDING_ANSWERS = 1_024;

/** The pending answers of one host. */
export class DiscoveryAnswers {
  readonly #clock: Clock;
  readonly #spacingMs: number;
  readonly #hello: (to: string) => void;
  /** Requesters whose discovery gets its second answer after a spacing. */
  readonly #followUps = new Set<string>();
  #followUp: TimerHandle | undefined;

  /**
   * @param clock The time source.
   * @param spacingMs Between the two answers, in milliseconds.
   * @param hello Sends one answer to a requester.
   */
  constructor(clock: Clock, spacingMs: number, hello: (to: string) => void) {
    this.#clock = clock;
    this.#spacingMs = spacingMs;
    this.#hello = hello;
  }

  /** `requester` asked everyone to announce. */
  asked(requester: string): void {
    if (this.#followUps.has(requester)) return;
    if (this.#followUps.size >= MAX_PENDING_ANSWERS) return;
    this.#hello(requester);
    this.#followUps.add(requester);
    if (this.#followUp !== undefined) return;
    this.#followUp = this.#clock.setTimeout(() => {
      this.#followUp = undefined;
      const requesters = [...this.#followUps];
      this.#followUps.clear();
      for (const to of requesters) this.#hello(to);
    }, this.#spacingMs);
    this.#clock.keepAlive(this.#followUp, false);
  }

  /** Drops the second answers still pending. */
  stop(): void {
    if (this.#followUp !== undefined) this.#clock.clearTimeout(this.#followUp);
    this.#followUp = undefined;
    this.#followUps.clear();
  }
}
