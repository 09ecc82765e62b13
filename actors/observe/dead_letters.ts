/**
 * The dead-letter stream: every message that could not be delivered or handled
 * ends here with the reason, so nothing is lost silently.
 *
 * @module
 */

import type { ErrorInfo } from "../../base/errors.ts";
import type { Clock } from "../../base/clock.ts";
import { Logger } from "./logger.ts";
import { describeError } from "../../base/errors.ts";

/**
 * Why a message became a dead letter:
 * - `"actor-stopped"`: the target had stopped or was stopping;
 * - `"unknown-actor"`: no actor with the target id exists;
 * - `"mailbox-full"`: the target's bounded mailbox refused or dropped it;
 * - `"handler-failed"`: its handler threw (the error is attached);
 * - `"unknown-message"`: the target's protocol has no such message, or it was
 *   sent with the wrong kind (`tell` of an ask);
 * - `"invalid-payload"`: the payload failed its message's schema (the
 *   definition's `schemas`; the error, a `MessageValidationError`, says
 *   where), so its handler never ran;
 * - `"reply-after-timeout"`: a reply arrived after its ask had timed out or
 *   been aborted;
 * - `"host-unreachable"`: the target's host has no inbox any more (it is
 *   gone) or left the cluster;
 * - `"disconnected"`: this host was disconnected from NATS, so nothing was sent;
 * - `"too-large"`: the message was larger than the transport carries;
 * - `"transfer-failed"`: a message sent in chunks (larger than one NATS
 *   message) was not moved whole: a chunk lost, the receiver gone or
 *   refusing it, or no progress for the stall timeout (the error says which);
 * - `"capability-missing"`: the target host runs an older version that does
 *   not read what the message needed (chunks for a large message, object
 *   refs), so nothing was sent (the error names what);
 * - `"undecodable"`: bytes that arrived at this host could not be decoded
 *   (garbage, a truncated batch, an unknown protocol version).
 */
export type DeadLetterReason =
  | "actor-stopped"
  | "unknown-actor"
  | "mailbox-full"
  | "handler-failed"
  | "unknown-message"
  | "invalid-payload"
  | "reply-after-timeout"
  | "host-unreachable"
  | "disconnected"
  | "too-large"
  | "transfer-failed"
  | "capability-missing"
  | "undecodable";

/** Every dead-letter reason, for checking a reason that came over the wire. */
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  "actor-stopped",
  "unknown-actor",
  "mailbox-full",
  "handler-failed",
  "unknown-message",
  "invalid-payload",
  "reply-after-timeout",
  "host-unreachable",
  "disconnected",
  "too-large",
  "transfer-failed",
  "capability-missing",
  "undecodable",
];

/** Identifies an actor in records: its id, name and type. */
export interface ActorDescription {
  /** The actor's id. */
  readonly id: string;
  /** The actor's name, when it has one. */
  readonly name?: string;
  /** The actor's type (its definition's `type`). */
  readonly type: string;
}

/** One message that could not be delivered or handled. */
export interface DeadLetter {
  /** Why it was not delivered. */
  readonly reason: DeadLetterReason;
  /** The actor it was sent to. */
  readonly target: ActorDescription;
  /** The message name. */
  readonly messageName: string;
  /** Whether it was a tell, an ask, or the reply to an ask. */
  readonly kind: "tell" | "ask" | "reply";
  /** The payload (or the reply, for `"reply-after-timeout"`). */
  readonly payload: unknown;
  /** When it was recorded, in clock milliseconds. */
  readonly timestampMs: number;
  /** The error, for `"handler-failed"` and refusals. */
  readonly error?: ErrorInfo;
  /**
   * How many messages this record stands for, when more than one: tells of
   * one sender to one actor of another host, with one name, refused there
   * for one reason at about the same time (a flood), come back as one
   * record with their count, and `payload` is the first one's.
   * `DeadLetters.total` counts every one of them.
   */
  readonly count?: number;
}

/** Receives each dead letter as it is recorded. */
export type DeadLetterListener = (letter: DeadLetter) => void;

/** Options of the dead-letter stream. */
export interface DeadLetterOptions {
  /**
   * How many recent dead letters {@linkcode DeadLetters.recent} keeps.
   * @default {1000}
   */
  readonly keep?: number;
  /**
   * How many bytes of binary payloads (typed arrays, `ArrayBuffer`s, long
   * strings) the kept letters may hold. Past it, the oldest kept letters
   * lose their payload (it becomes a short `"<dropped: N bytes>"` note), so
   * that refused tensors under backpressure cannot pile up in memory; the
   * letters themselves, and what subscribers saw, are unchanged.
   * @default {16777216}
   */
  readonly keepPayloadBytes?: number;
  /**
   * Writes a line per dead letter to `console.warn`, at most `logPerSecond`
   * lines a second plus a count of the ones left out. `0` turns logging off.
   * A dead letter whose sender gets the error (an ask's rejection, a refused
   * tell that throws), or whose failure is logged as one that nothing
   * supervises, is recorded but not logged: each failure is reported once.
   * @default {10}
   */
  readonly logPerSecond?: number;
}

/** The dead letters of one actor system. */
export class DeadLetters {
  #clock: Clock;
  #keep: number;
  #ring: DeadLetter[] = [];
  /** The payload bytes of each kept letter, by ring slot. */
  #bytes: number[] = [];
  #keptBytes = 0;
  #keepPayloadBytes: number;
  #next = 0;
  #total = 0;
  #listeners = new Set<DeadLetterListener>();
  #logPerSecond: number;
  #logWindowStart = 0;
  #loggedInWindow = 0;
  #suppressed = 0;
  #logger: Logger;

  /**
   * Made by the actor system; programs reach it as `system.deadLetters`.
   *
   * @param clock Stamps each letter.
   * @param options Buffer size and logging.
   */
  constructor(clock: Clock, options: DeadLetterOptions = {}, logger: Logger = new Logger("")) {
    this.#clock = clock;
    this.#logger = logger;
    this.#keep = options.keep ?? 1000;
    this.#keepPayloadBytes = options.keepPayloadBytes ?? 16 * 2 ** 20;
    this.#logPerSecond = options.logPerSecond ?? 10;
  }

  /** How many messages became dead letters since the system started (a record's `count` included). */
  get total(): number {
    return this.#total;
  }

  /**
   * Calls `listener` for every dead letter from now on.
   *
   * @returns A function that ends the subscription.
   * @example
   * ```ts
   * import { ActorSystem } from "../../mod.ts";
   * const system = await ActorSystem.start();
   * const stop = system.deadLetters.subscribe((letter) => console.log(letter.reason));
   * stop();
   * await system.shutdown();
   * ```
   */
  subscribe(listener: DeadLetterListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The most recent dead letters, oldest first.
   *
   * @param limit At most this many. @default all that are kept
   */
  recent(limit: number = this.#keep): DeadLetter[] {
    const ring = this.#ring;
    const ordered = ring.length < this.#keep
      ? ring.slice()
      : ring.slice(this.#next).concat(ring.slice(0, this.#next));
    return ordered.slice(Math.max(0, ordered.length - limit));
  }

  /**
   * @internal Records a dead letter and tells the subscribers. It is logged
   * only when its failure reaches nobody otherwise: an asker gets its ask
   * rejected, a refused tell that throws reaches its caller, and a failure
   * that nothing supervises is logged as such.
   *
   * @param reported Whether it reaches someone otherwise. @default {letter.kind === "ask"}
   */
  publish(letter: Omit<DeadLetter, "timestampMs">, reported?: boolean): void {
    const full: DeadLetter = { ...letter, timestampMs: this.#clock.now() };
    this.#total += letter.count ?? 1;
    if (this.#keep > 0) this.#remember(full);
    for (const listener of this.#listeners) {
      try {
        listener(full);
      } catch (err) {
        this.#logger.error("a dead-letter listener threw; it stays subscribed", {
          error: describeError(err).message,
        });
      }
    }
    if (this.#logPerSecond > 0 && !(reported ?? letter.kind === "ask")) this.#log(full);
  }

  #remember(letter: DeadLetter): void {
    const slot = this.#next;
    this.#keptBytes -= this.#bytes[slot] ?? 0;
    const bytes = payloadBytes(letter.payload);
    this.#ring[slot] = letter;
    this.#bytes[slot] = bytes;
    this.#keptBytes += bytes;
    this.#next = (slot + 1) % this.#keep;
    // Drop payloads oldest first (never the newest) until back under budget.
    const oldest = this.#ring.length < this.#keep ? 0 : this.#next;
    if (this.#keptBytes <= this.#keepPayloadBytes) return;
    for (let i = 0; i < this.#ring.length - 1 && this.#keptBytes > this.#keepPayloadBytes; i++) {
      const at = (oldest + i) % this.#ring.length;
      const size = this.#bytes[at];
      if (size === 0) continue;
      this.#ring[at] = { ...this.#ring[at], payload: `<dropped: ${size} bytes>` };
      this.#bytes[at] = 0;
      this.#keptBytes -= size;
    }
  }

  /** @internal Prints the count of lines left out, if any (at shutdown). */
  flushLog(): void {
    if (this.#suppressed > 0) {
      this.#logger.warn(`[dead letter] ${this.#suppressed} more dead letters not shown`);
      this.#suppressed = 0;
    }
  }

  #log(letter: DeadLetter): void {
    if (letter.timestampMs - this.#logWindowStart >= 1000) {
      this.flushLog();
      this.#logWindowStart = letter.timestampMs;
      this.#loggedInWindow = 0;
    }
    if (this.#loggedInWindow >= this.#logPerSecond) {
      this.#suppressed++;
      return;
    }
    this.#loggedInWindow++;
    const who = letter.target.name === undefined
      ? letter.target.id
      : `${letter.target.name} (${letter.target.id})`;
    const why = letter.error === undefined ? "" : `: ${letter.error.name}: ${letter.error.message}`;
    const what = letter.count === undefined ? letter.kind : `${letter.count} ${letter.kind}s`;
    this.#logger.warn(
      `[dead letter] ${letter.reason}: ${what} '${letter.messageName}' to ${who}${why}`,
      { actor: letter.target.id, message: letter.messageName, reason: letter.reason },
    );
  }
}

/**
 * The bytes a payload holds in buffers and long strings, looking at no more
 * than 256 values in all (a dead letter is recorded on the sender's path:
 * a huge nested payload must not make it slow); small values count 0.
 */
function payloadBytes(payload: unknown): number {
  let budget = 256;
  let total = 0;
  const visit = (value: unknown): void => {
    if (--budget < 0) return;
    if (typeof value === "string") {
      if (value.length > 1024) total += value.length * 2;
    } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      total += value.byteLength;
    } else if (Array.isArray(value)) {
      for (const item of value) {
        if (budget > 0) visit(item);
        else break;
      }
    } else if (value !== null && typeof value === "object") {
      for (const key in value) {
        if (budget <= 0) break;
        visit((value as Record<string, unknown>)[key]);
      }
    }
  };
  visit(payload);
  return total;
}
