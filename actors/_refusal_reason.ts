/**
 * The dead-letter reason of a message an actor refused.
 *
 * @module
 */

import type { DeadLetterReason } from "./observe/dead_letters.ts";
import {
  MailboxFullError,
  MessageKindError,
  MessageValidationError,
  PlacementError,
  UnknownActorError,
  UnknownMessageError,
} from "./errors.ts";

/**
 * The dead-letter reason of a refused message: a full mailbox, a name or kind
 * the protocol does not have, a payload that failed its schema, or else a
 * stopped actor (its error says why).
 */
export function refusalReason(err: Error): DeadLetterReason {
  if (MailboxFullError.is(err)) return "mailbox-full";
  if (UnknownMessageError.is(err) || MessageKindError.is(err)) return "unknown-message";
  if (MessageValidationError.is(err)) return "invalid-payload";
  // An entity whose type no host here knows, or that no live host may activate.
  if (UnknownActorError.is(err)) return "unknown-actor";
  if (PlacementError.is(err)) return "host-unreachable";
  return "actor-stopped";
}
