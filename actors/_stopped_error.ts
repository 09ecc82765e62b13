/**
 * The error a caller gets for a message that a stopping or stopped actor
 * will not handle: an `ActorStoppedError` that says why the actor stopped
 * (from its death record); or, when it
 * stopped because its state cannot be stored, that `StateEncodeError`
 * itself, which is what the caller has to fix.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import type { DeathRecord } from "./observe/death_records.ts";
import type { ExitReason } from "./exit_reason.ts";
import { type DeathFacts, deathWords } from "./observe/death_words.ts";
import { ActorStoppedError } from "./errors.ts";
import { describeError } from "../base/errors.ts";

/**
 * The error for a message that `cell`, which is stopping or stopped, will not handle.
 *
 * @param cell The actor (its final stop has begun).
 * @param messageName The message not handled.
 */
export function stoppedError(cell: Cell, messageName: string): Error {
  const stop = cell.stopping;
  if (stop === undefined) return new ActorStoppedError(cell.id, messageName);
  const reason = stop.reason;
  const error = "error" in reason ? reason.error : undefined;
  if (isStateEncodeError(error)) return error as Error;
  // The failure is said in words, not chained as `cause`: a caller that reads
  // `cause` as what its own message's handler threw must not be misled.
  const facts: DeathFacts = cell.finalRecord ?? factsOf(cell, reason);
  const why = deathWords(
    facts.kind === "stopped" && !stop.byParent ? { ...facts, parent: undefined } : facts,
  );
  return new ActorStoppedError(cell.id, messageName, why);
}

/**
 * The error for a message to an actor of this host that is gone, from its
 * last death record (an ask that arrived from another host after it stopped).
 *
 * @param actorId The actor.
 * @param messageName The message not handled.
 * @param record Its last death record, when this host still has it.
 */
export function stoppedErrorOf(
  actorId: string,
  messageName: string,
  record: DeathRecord | undefined,
): ActorStoppedError {
  if (record === undefined) return new ActorStoppedError(actorId, messageName);
  return new ActorStoppedError(actorId, messageName, deathWords(record));
}

/** The facts of a stop still in progress (its record is written when it ends). */
function factsOf(cell: Cell, reason: ExitReason): DeathFacts {
  return {
    kind: reason.kind,
    error: "error" in reason && reason.error !== undefined
      ? describeError(reason.error)
      : undefined,
    messageName: reason.kind === "error" ? reason.messageName : undefined,
    escalatedFrom: reason.kind === "escalated" ? reason.childId : undefined,
    hostId: reason.kind === "host-lost" ? reason.hostId : cell.runtime.hostId,
    parent: cell.parent?.describe(),
  };
}

function isStateEncodeError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "state_encode";
}
