/**
 * Where answers to another host go. The reply target of an ask that came
 * from another host: the actor answers it like a local ask, and the answer
 * goes back as a frame to the asker. It has no timer: the asker owns the
 * deadline, and this side only reads it, to skip an ask whose asker stopped
 * waiting before its turn came. And the origin of the tells of one batch: a
 * tell never handled goes back to its sender as frame 4.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import { type ReplyTarget, TellOrigin } from "../actors/internal.ts";

/** Where the answer of one incoming ask goes. */
export class RemoteReply implements ReplyTarget {
  /** The asker records the dead letter of a refusal it is sent. */
  readonly remote = true;
  readonly #clock: Clock;
  readonly #deadlineMs: number;
  readonly #send: (value: unknown) => void;
  readonly #fail: (error: unknown) => void;
  #answered = false;

  /**
   * @param clock This host's clock.
   * @param timeoutMs The asker's timeout, counted here from the ask's arrival.
   * @param send Sends a reply frame.
   * @param fail Sends an error frame.
   */
  constructor(
    clock: Clock,
    timeoutMs: number,
    send: (value: unknown) => void,
    fail: (error: unknown) => void,
  ) {
    this.#clock = clock;
    this.#deadlineMs = clock.now() + timeoutMs;
    this.#send = send;
    this.#fail = fail;
  }

  /** When the asker stops waiting, on this host's clock. */
  get deadlineMs(): number {
    return this.#deadlineMs;
  }

  /** Answered, or past the asker's deadline. */
  get settled(): boolean {
    return this.#answered || this.#clock.now() > this.#deadlineMs;
  }

  /** Sends the reply, even after the deadline: the asker records a late one as a dead letter. */
  resolve(value: unknown): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#send(value);
  }

  /** Sends the typed error. */
  reject(reason: unknown): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#fail(reason);
  }
}

/** The host a batch of tells came from. */
export class RemoteTellOrigin extends TellOrigin {
  readonly #send: (to: string, type: string, name: string, payload: unknown, error: Error) => void;

  /** @param send Sends frame 4 for a tell that will not be handled. */
  constructor(
    send: (to: string, type: string, name: string, payload: unknown, error: Error) => void,
  ) {
    super();
    this.#send = send;
  }

  /** Sends the tell back to its sender as frame 4, where its one dead letter is recorded. */
  refused(to: string, type: string, name: string, payload: unknown, error: Error): void {
    this.#send(to, type, name, payload, error);
  }
}
