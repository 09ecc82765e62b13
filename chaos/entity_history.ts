/**
 * The history of asks to entities in the rebalancing scenario, and its
 * checks. Each key gets increasing sequence numbers; each entity replies
 * with the sequence number it handled before and the id of its activation.
 * From the replies, sorted by sequence number (the order the entity handled
 * them in, if the history is right):
 * - in order: each reply's `last` is below its own sequence number;
 * - nothing acknowledged lost: an acknowledged message is named as `last`
 *   by the message handled after it (judged on keys with no refused ask);
 * - one activation at a time: an activation that handled a message never
 *   handles one again after another activation of its key has;
 * - never silent: every ask ends (replied, or rejected with a typed error
 *   that has a `code`), none by timing out (its outcome unknown).
 *
 * @module
 */

import type { ChaosEntityReply } from "./process_actors.ts";
import { AskTimeoutError } from "../actors/errors.ts";
import { RequestTimeoutError } from "../base/errors.ts";

/** How one ask ended. */
export type AskOutcome =
  | { readonly kind: "replied"; readonly reply: ChaosEntityReply }
  | { readonly kind: "rejected"; readonly code: string | undefined; readonly message: string };

/** The error codes that mean the ask's outcome is unknown rather than refused. */
const UNKNOWN_OUTCOME = new Set([AskTimeoutError.code, RequestTimeoutError.code]);

/** Every ask to every key, and how it ended. */
export class EntityHistory {
  readonly #sent = new Map<string, number>();
  readonly #outcomes = new Map<string, Map<number, AskOutcome>>();

  /** The next sequence number of `key` (from 1), counted as sent. */
  next(key: string): number {
    const seq = (this.#sent.get(key) ?? 0) + 1;
    this.#sent.set(key, seq);
    return seq;
  }

  /** Records how the ask with `seq` to `key` ended. */
  ended(key: string, seq: number, outcome: AskOutcome): void {
    const outcomes = this.#outcomes.get(key) ?? this.#outcomes.set(key, new Map()).get(key)!;
    outcomes.set(seq, outcome);
  }

  /** Records an ask's rejection (an error with a `code`, or without one). */
  rejected(key: string, seq: number, error: unknown): void {
    const code = (error as { code?: unknown })?.code;
    this.ended(key, seq, {
      kind: "rejected",
      code: typeof code === "string" ? code : undefined,
      message: String((error as Error)?.message ?? error),
    });
  }

  /** Asks sent so far. */
  get sent(): number {
    let sent = 0;
    for (const n of this.#sent.values()) sent += n;
    return sent;
  }

  /**
   * Acknowledged messages of `key` that no later message was handled after
   * (each handled message names the one before it), although a later one
   * was handled past them. Only judged for a key none of whose asks was
   * refused: a refused ask may have been handled, and then it is the one
   * that names its predecessor.
   */
  #lost(key: string, outcomes: Map<number, AskOutcome>, note: (text: string) => void): number {
    const lasts = new Set<number>();
    let furthest = 0;
    for (const outcome of outcomes.values()) {
      if (outcome.kind === "rejected") return 0;
      lasts.add(outcome.reply.last);
      furthest = Math.max(furthest, outcome.reply.last);
    }
    let lost = 0;
    for (const [seq, outcome] of outcomes) {
      if (outcome.kind !== "replied" || lasts.has(seq) || seq >= furthest) continue;
      lost++;
      note(`${key} #${seq} was acknowledged, and no later message was handled after it`);
    }
    return lost;
  }

  /** Checks every invariant; returns the figures and every violation. */
  check(): {
    figures: Record<string, number | string>;
    violations: string[];
    duplicates: number;
  } {
    const violations: string[] = [];
    const rejections = new Map<string, number>();
    let replied = 0;
    let unended = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let lostAcknowledged = 0;
    let activations = 0;
    const note = (text: string) => {
      if (violations.length < 20) violations.push(text);
    };
    for (const [key, sent] of this.#sent) {
      const outcomes = this.#outcomes.get(key) ?? new Map<number, AskOutcome>();
      const retired = new Set<string>();
      let current: string | undefined;
      for (let seq = 1; seq <= sent; seq++) {
        const outcome = outcomes.get(seq);
        if (outcome === undefined) {
          unended++;
          note(`${key} #${seq} never ended`);
          continue;
        }
        if (outcome.kind === "rejected") {
          const code = outcome.code ?? "(no code)";
          rejections.set(code, (rejections.get(code) ?? 0) + 1);
          if (outcome.code === undefined) {
            note(`${key} #${seq} rejected without a code: ${outcome.message}`);
          } else if (UNKNOWN_OUTCOME.has(outcome.code)) {
            note(`${key} #${seq} timed out: ${outcome.message}`);
          }
          continue;
        }
        replied++;
        const { last, activation } = outcome.reply;
        if (last >= seq) {
          outOfOrder++;
          const later = outcomes.get(last);
          const by = later?.kind === "replied" ? later.reply.activation : "?";
          note(`${key} #${seq} (by ${activation}) was handled after #${last} (by ${by})`);
        }
        if (activation !== current) {
          if (retired.has(activation)) {
            duplicates++;
            note(
              `${key} #${seq} was handled by ${activation} again after ${current} had handled one`,
            );
          } else activations++;
          if (current !== undefined) retired.add(current);
          current = activation;
        }
      }
      lostAcknowledged += this.#lost(key, outcomes, note);
    }
    return {
      figures: {
        keys: this.#sent.size,
        asks: this.sent,
        replied,
        rejected: [...rejections].map(([code, n]) => `${code}:${n}`).join(" ") || "none",
        activations_seen: activations,
        duplicates,
        out_of_order: outOfOrder,
        lost_acknowledged: lostAcknowledged,
        never_ended: unended,
      },
      violations,
      duplicates,
    };
  }
}
