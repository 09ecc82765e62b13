/**
 * Exit reasons (frame 5) and death records (frame 6) as they may leave a
 * host: their error maps carry a stack trace only when the host opts in
 * (`wireStacks`), and an exit reason's error carries its cause chain.
 *
 * @module
 */

import { type DeathRecord, type ExitReason, exitReasonInfo } from "../actors/internal.ts";
import { describeWireError, sendableErrorInfo } from "./wire_errors.ts";

/**
 * The exit reason map of frame 5.
 *
 * @param reason Why the child stopped.
 * @param withStacks Whether its error's stack traces go too.
 * @returns Its wire form (`docs/PROTOCOL.md`, "Exit reasons").
 */
export function sendableExitReason(reason: ExitReason, withStacks: boolean): unknown {
  const info = exitReasonInfo(reason);
  return "error" in reason
    ? { ...(info as Record<string, unknown>), error: describeWireError(reason.error, withStacks) }
    : info;
}

/**
 * The death record of frame 6.
 *
 * @param record The record kept here.
 * @param withStacks Whether its error maps keep their stacks.
 * @returns The record to send.
 */
export function sendableRecord(record: DeathRecord, withStacks: boolean): DeathRecord {
  if (withStacks) return record;
  return {
    ...record,
    error: record.error === undefined ? undefined : sendableErrorInfo(record.error, false),
    stopHookError: record.stopHookError === undefined
      ? undefined
      : sendableErrorInfo(record.stopHookError, false),
  };
}
