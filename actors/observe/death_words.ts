/**
 * Why an actor died, in the words an error message or a log line uses:
 * `failed while handling 'crash': Error: disk full`, `stopped by its
 * supervisor`, `its host h2 was lost`, `stopped normally`.
 *
 * @module
 */

import type { DeathRecord } from "./death_records.ts";
import type { ErrorInfo } from "../../base/errors.ts";

/** The fields of a death that its words depend on (a {@linkcode DeathRecord} has them all). */
export type DeathFacts = Pick<
  DeathRecord,
  "kind" | "error" | "messageName" | "escalatedFrom" | "hostId" | "parent"
>;

/**
 * Says in a few words why an actor died.
 *
 * @param death Its death record, or the same facts of a stop still in progress.
 * @returns For example `"failed while handling 'crash': Error: disk full"`.
 * @example
 * ```ts
 * import { deathWords } from "./death_words.ts";
 * const words = deathWords({
 *   kind: "error",
 *   error: { name: "Error", message: "disk full" },
 *   messageName: "crash",
 *   escalatedFrom: undefined,
 *   hostId: "h1",
 *   parent: undefined,
 * });
 * console.log(words); // failed while handling 'crash': Error: disk full
 * ```
 */
export function deathWords(death: DeathFacts): string {
  switch (death.kind) {
    case "error":
      return (death.messageName === undefined
        ? "failed while starting"
        : `failed while handling '${death.messageName}'`) + withError(death.error);
    case "escalated":
      return `gave up after its child '${death.escalatedFrom}' failed too often` +
        withError(death.error);
    case "stopped":
      return death.parent === undefined ? "stopped normally" : "stopped by its supervisor";
    case "shutdown":
      return "stopped at shutdown (of its system, or of its supervisor that gave up)";
    case "timeout":
      return "stopped, and cut off at its stop timeout";
    case "host-lost":
      return `its host ${death.hostId} was lost` + withError(death.error);
    case "owner-gone":
      return "stopped because the program that spawned it (on another host) ended or was lost";
    default: {
      const unknown: never = death.kind;
      return `stopped (${String(unknown)})`;
    }
  }
}

function withError(error: ErrorInfo | undefined): string {
  return error === undefined ? "" : `: ${error.name}: ${error.message}`;
}
