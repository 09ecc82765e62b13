/**
 * The asks this host sent to other hosts, by correlation id. The asker holds
 * the only deadline (its `PendingAsk`); a reply that arrives after it is a
 * dead letter here, on the asker, naming the actor and message it answers,
 * so the asks nobody waits for any more are remembered for a while.
 *
 * @module
 */

import type { DeadLetterReason, PendingAsk } from "../actors/internal.ts";
import type { ErrorInfo } from "../base/errors.ts";
import type { RandomSource } from "../base/random.ts";
import { rebuildError } from "./codec.ts";

/** Records a dead letter on this (the asking) host. */
export type AskDeadLetter = (
  reason: DeadLetterReason,
  to: string,
  type: string,
  name: string,
  kind: "ask" | "reply",
  payload: unknown,
  error?: unknown,
) => void;

/** One ask in flight to another host. */
export interface RemoteAsk {
  /** The asker's pending ask. */
  readonly ask: PendingAsk;
  /** The host asked. */
  readonly host: string;
  /** The actor asked. */
  readonly to: string;
  /** Its actor type. */
  readonly type: string;
  /** The message name. */
  readonly name: string;
}

/** How many asks that ended without an answer are remembered, to name their late replies. */
const REMEMBERED_UNANSWERED = 4096;

/** The counter part of a correlation id wraps here (2^21), keeping ids below 2^53. */
const COUNTER_SPAN = 2 ** 21;

/** Asks in flight, and recently unanswered ones. */
export class RemoteAsks {
  readonly #deadLetter: AskDeadLetter;
  #counter = 0;
  readonly #random = new Uint32Array(256);
  #randomAt = 256;
  readonly #fill: RandomSource;
  readonly #pending = new Map<number, RemoteAsk>();
  readonly #unanswered = new Map<number, RemoteAsk>();

  /**
   * @param deadLetter Where late replies and refusals are recorded.
   * @param random The source of the random part of correlation ids.
   */
  constructor(deadLetter: AskDeadLetter, random: RandomSource) {
    this.#deadLetter = deadLetter;
    this.#fill = random;
  }

  /**
   * The correlation id the next ask gets: a counter (unique among the asks
   * in flight) above 32 random bits, so that nobody can guess the id of an
   * ask to answer it in the asked host's place. A safe integer below 2^53.
   */
  nextCorrelation(): number {
    if (this.#randomAt === this.#random.length) {
      this.#fill(this.#random);
      this.#randomAt = 0;
    }
    this.#counter = (this.#counter + 1) % COUNTER_SPAN;
    return this.#counter * 2 ** 32 + this.#random[this.#randomAt++];
  }

  /**
   * Waits for the answer to `correlation`. When the ask ends another way
   * (timeout, abort, its host gone), it is remembered as unanswered.
   */
  add(correlation: number, waiting: RemoteAsk): void {
    this.#pending.set(correlation, waiting);
    waiting.ask.onSettled = () => {
      if (!this.#pending.delete(correlation)) return;
      this.#unanswered.set(correlation, waiting);
      if (this.#unanswered.size > REMEMBERED_UNANSWERED) {
        this.#unanswered.delete(this.#unanswered.keys().next().value!);
      }
    };
  }

  /** Takes the ask an answer is for; `undefined` when nobody waits for it. */
  answer(correlation: number): RemoteAsk | undefined {
    const waiting = this.#pending.get(correlation);
    if (waiting !== undefined) this.#pending.delete(correlation);
    return waiting;
  }

  /** The ask a late answer was for, if it is still remembered. */
  #takeUnanswered(correlation: number): RemoteAsk | undefined {
    const ended = this.#unanswered.get(correlation);
    if (ended !== undefined) this.#unanswered.delete(correlation);
    return ended;
  }

  /** Rejects every ask to `host` (or to every host) with the error `why` makes. */
  rejectTo(host: string | undefined, why: (waiting: RemoteAsk) => unknown): void {
    for (const waiting of [...this.#pending.values()]) {
      if (host === undefined || waiting.host === host) waiting.ask.reject(why(waiting));
    }
  }

  /**
   * A reply frame arrived from `sender`: the waiting ask resolves, or the
   * late reply is a dead letter here, naming the actor and message it answers.
   *
   * @returns `false` when another host than the one asked sent it: ignored.
   */
  replied(correlation: number, body: unknown, sender: string): boolean {
    if (!this.#fromAsked(correlation, sender)) return false;
    const waiting = this.answer(correlation);
    if (waiting !== undefined) {
      waiting.ask.resolve(body);
      return true;
    }
    const ended = this.#takeUnanswered(correlation);
    this.#deadLetter(
      "reply-after-timeout",
      ended?.to ?? sender,
      ended?.type ?? "unknown",
      ended?.name ?? "reply",
      "reply",
      body,
    );
    return true;
  }

  /**
   * An error frame arrived from `sender`: the waiting ask rejects with the
   * typed error; a refusal (not a handler's failure) is the one dead letter
   * of that ask, recorded here.
   *
   * @returns `false` when another host than the one asked sent it: ignored.
   */
  failed(correlation: number, info: ErrorInfo, sender: string): boolean {
    if (!this.#fromAsked(correlation, sender)) return false;
    const waiting = this.answer(correlation);
    if (waiting === undefined) return true;
    const error = rebuildError(info, sender);
    const refused = refusalOf(info.code);
    if (refused !== undefined) {
      this.#deadLetter(refused, waiting.to, waiting.type, waiting.name, "ask", undefined, error);
    }
    waiting.ask.reject(error);
    return true;
  }

  /** Whether an answer to `correlation` comes from the host that was asked (or answers nothing known). */
  #fromAsked(correlation: number, sender: string): boolean {
    const asked = this.#pending.get(correlation)?.host ?? this.#unanswered.get(correlation)?.host;
    return asked === undefined || asked === sender;
  }
}

/** The dead-letter reason of an ask the receiving host refused, by error code. */
function refusalOf(code: string | undefined): DeadLetterReason | undefined {
  switch (code) {
    case "mailbox_full":
      return "mailbox-full";
    case "actor_stopped":
      return "actor-stopped";
    case "unknown_actor":
      return "unknown-actor";
    case "unknown_message":
    case "message_kind":
      return "unknown-message";
    case "message_validation":
      return "invalid-payload";
    default:
      return undefined;
  }
}
