/**
 * Where an actor's exit goes: a failure or a stop on its own account is
 * decided by its supervisor, here or on another host; with no supervisor,
 * the failure is logged and the actor stops for good (and, when the system
 * says so, the system shuts down).
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { Runtime } from "./runtime.ts";
import type { TopLevelFailure } from "./runtime_settings.ts";
import { describeError } from "../base/errors.ts";

/**
 * What the routing uses of its runtime. `remote` is read at each exit, not
 * kept: the runtime's port changes when the system joins a cluster.
 */
export type ExitHost = Pick<Runtime, "remote" | "clock" | "stopTimeoutMs" | "logger" | "shutdown">;

/** One line about a failure that nothing supervises. */
function describeFailure(cell: Cell, reason: ExitReason): string {
  const where = reason.kind === "error" && reason.messageName !== undefined
    ? `while handling '${reason.messageName}'`
    : reason.kind === "escalated"
    ? `(supervisor gave up on child '${reason.childId}')`
    : "while starting";
  const error = "error" in reason ? describeError(reason.error) : undefined;
  const who = cell.name === undefined ? cell.id : `${cell.name} (${cell.id})`;
  return `[actor failure] ${cell.def.type} ${who} failed ${where}: ${error?.name}: ${error?.message}` +
    ` — not supervised, so it stopped; system.deaths.last(ref) has the record`;
}

/** Hands the failures and stops of one host's actors to whoever decides about them. */
export class ExitRouting {
  readonly #host: ExitHost;
  readonly #topLevelFailure: TopLevelFailure;
  readonly #logFailures: boolean;

  /**
   * @param host The runtime.
   * @param logFailures Whether unsupervised failures are logged.
   * @param topLevelFailure What a failure that reaches the top does.
   */
  constructor(host: ExitHost, logFailures: boolean, topLevelFailure: TopLevelFailure) {
    this.#host = host;
    this.#logFailures = logFailures;
    this.#topLevelFailure = topLevelFailure;
  }

  /** Whether a failure of the cell would now be logged as one that nothing supervises. */
  logsFailure(cell: Cell): boolean {
    if (!this.#logFailures) return false;
    const parent = cell.parent;
    if (parent === undefined) return !this.#host.remote.supervisesRemotely(cell.id);
    return parent.def.childExit === undefined || parent.stopping !== undefined;
  }

  /**
   * A cell failed: its supervisor (or the default policy) decides.
   *
   * @param cell The failed actor.
   * @param reason Why.
   * @param received Whether an asker got the failure, so that it is not logged.
   */
  failed(cell: Cell, reason: ExitReason, received: boolean): void {
    const host = this.#host;
    const parent = cell.parent;
    const incarnation = cell.incarnation;
    // The crashed actor cleans up first (children, `onStop`), with no deadline:
    // only stops that someone orders have one. Then its supervisor decides.
    const cleaned = cell.cleanUp(reason);
    if (parent === undefined && host.remote.supervisesRemotely(cell.id)) {
      // Its supervisor is on another host: it stops here and reports there.
      void cleaned.then(() =>
        cell.stop(reason, host.clock.now() + (cell.shutdownTimeoutMs ?? host.stopTimeoutMs))
      );
      return;
    }
    if (parent?.def.childExit !== undefined && parent.stopping === undefined) {
      const childExit = parent.def.childExit;
      void cleaned.then(() => {
        if (parent.stopping !== undefined) return;
        childExit(parent, { child: cell, reason, incarnation, final: false });
      });
      return;
    }
    // Nothing supervises it: it stops for good, and the failure is reported,
    // on the console only when no asker received it.
    if (this.#logFailures && !received) {
      host.logger.error(describeFailure(cell, reason), {
        actor: cell.id,
        type: cell.def.type,
        message: reason.kind === "error" ? reason.messageName : undefined,
      });
    }
    const stopped = cleaned.then(() => cell.stop(reason, host.clock.now() + host.stopTimeoutMs));
    if (parent === undefined && this.#topLevelFailure === "shutdown") {
      void stopped.then(() => host.shutdown(host.stopTimeoutMs));
    }
  }

  /**
   * A cell stopped for good on its own account: its supervisor, here or on
   * another host, may restart it.
   *
   * @param cell The stopped actor.
   * @param reason Why it stopped.
   */
  childStopped(cell: Cell, reason: ExitReason): void {
    const parent = cell.parent;
    if (parent === undefined) {
      this.#host.remote.remoteChildStopped(cell.id, reason);
      return;
    }
    if (parent?.def.childExit === undefined || parent.stopping !== undefined) return;
    parent.def.childExit(parent, {
      child: cell,
      reason,
      incarnation: cell.incarnation,
      final: true,
    });
  }
}
