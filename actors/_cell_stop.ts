/**
 * The end of an actor incarnation, with a deadline: wait for the running
 * turn, stop the children in reverse start order (a supervisor knows it; for
 * other actors it is reverse spawn order), each within its own shutdown
 * timeout, run `onStop`, write the death record. A final stop then
 * drops the mailbox to the dead letters, unregisters the actor and tells its
 * watchers and supervisor; a restart keeps all that for the next incarnation.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import type { TimerHandle } from "../base/clock.ts";
import type { DeathKind, DeathRecord } from "./observe/death_records.ts";
import { type ExitReason, STOPPED } from "./exit_reason.ts";
import { describeError } from "../base/errors.ts";
import { startCutOff } from "./_cell_started.ts";

/**
 * A final stop; the end of an incarnation before a restart; or the cleanup
 * a crashed actor does by itself before its supervisor hears of the crash
 * (children stopped, `onStop` run, no deadline, no record: the stop or
 * restart its supervisor then orders writes the one record).
 */
export type StopMode = "final" | "restart" | "cleanup";

type Phase = "waiting" | "turn" | "flush" | "children" | "hook" | "done";

/** One stop (or incarnation end) in progress. */
export class CellStop {
  /** Resolves once the incarnation has ended. */
  readonly done: Promise<void>;
  /** Why it ends. */
  readonly reason: ExitReason;
  /** Final stop or restart. */
  readonly mode: StopMode;
  /** When the stop gives up waiting, in clock milliseconds. */
  readonly deadlineMs: number;
  /** True when the turn or `onStop` had to be cut off at the deadline. */
  forced = false;
  /** What `onStop` threw, if it threw. */
  hookError: unknown = undefined;
  #cell: Cell;
  #notifyParent: boolean;
  #resolve!: () => void;
  #phase: Phase = "waiting";
  #timer: TimerHandle | undefined = undefined;

  /**
   * @param cell The actor.
   * @param mode Final stop or restart.
   * @param reason Why it ends.
   * @param deadlineMs When to stop waiting for it.
   * @param notifyParent Whether a supervising parent hears of a final stop.
   */
  constructor(
    cell: Cell,
    mode: StopMode,
    reason: ExitReason,
    deadlineMs: number,
    notifyParent: boolean,
  ) {
    this.#cell = cell;
    this.mode = mode;
    this.reason = reason;
    this.deadlineMs = deadlineMs;
    this.#notifyParent = notifyParent;
    this.done = new Promise((resolve) => this.#resolve = resolve);
  }

  /** True when its parent (or a supervisor on another host) asked for this stop. */
  get byParent(): boolean {
    return !this.#notifyParent;
  }

  /** True once it has ended. */
  get finished(): boolean {
    return this.#phase === "done";
  }

  /** A stop ordered during a crash cleanup cut it off at its own deadline: give up on it. */
  cutOff(): void {
    if (this.#phase === "done") return;
    this.forced = true;
    this.#finish();
  }

  /** Starts the stop (called once, after the current synchronous turn). */
  begin(): void {
    const cleanup = this.mode === "cleanup" ? undefined : this.#cell.cleanup;
    if (cleanup !== undefined && !cleanup.finished) {
      // A crashed actor is still cleaning up: an ordered stop waits for it, up to its deadline.
      this.#phase = "turn";
      this.#armDeadline(() => {
        this.forced = true;
        cleanup.cutOff();
        this.#afterTurn();
      });
      cleanup.done.then(() => this.stepEnded());
      return;
    }
    if (this.#cell.busy) {
      this.#phase = "turn";
      this.#armDeadline(() => {
        this.forced = true;
        this.#cell.abandonStep();
        this.#afterTurn();
      });
      return;
    }
    this.#afterTurn();
  }

  /** Called by the cell when an awaited step ends while the stop waits for it. */
  stepEnded(): void {
    if (this.#phase !== "turn") return;
    this.#disarm();
    this.#afterTurn();
  }

  #afterTurn(): void {
    const persister = this.#cell.persister;
    if (persister === undefined) {
      this.#stopChildrenPhase();
      return;
    }
    // The last state changes are written before anything else stops.
    this.#phase = "flush";
    this.#armDeadline(() => {
      this.forced = true;
      this.#stopChildrenPhase();
    });
    persister.flush().then(() => {
      if (this.#phase !== "flush") return;
      this.#disarm();
      this.#stopChildrenPhase();
    });
  }

  #stopChildrenPhase(): void {
    this.#phase = "children";
    const cell = this.#cell;
    const ordered = cell.def.stopChildren;
    if (ordered !== undefined && cell.initialized) {
      void ordered(cell, cell.state, this.#childReason(), this.deadlineMs)
        .catch(() => {})
        .then(() => this.#stopChildren());
      return;
    }
    void this.#stopChildren();
  }

  /** What the children stop with: a shutdown or a lost host passes on; anything else is a stop. */
  #childReason(): ExitReason {
    const reason = this.reason;
    return reason.kind === "shutdown" || reason.kind === "host-lost" ? reason : STOPPED;
  }

  /** Stops the children left, in reverse spawn order, then runs the stop hook. */
  async #stopChildren(): Promise<void> {
    const children = this.#cell.children;
    if (children === undefined || children.size === 0) {
      this.#runHook();
      return;
    }
    const reason = this.#childReason();
    const runtime = this.#cell.runtime;
    for (const child of [...children].reverse()) {
      const budgetMs = child.shutdownTimeoutMs ?? runtime.stopTimeoutMs;
      const deadlineMs = Math.min(this.deadlineMs, runtime.clock.now() + budgetMs);
      await child.stop(reason, deadlineMs, false);
    }
    this.#runHook();
  }

  #runHook(): void {
    this.#phase = "hook";
    const cell = this.#cell;
    cell.cancelTimers();
    const hook = cell.def.onStop;
    if (hook === undefined || !cell.initialized) {
      this.#finish();
      return;
    }
    let result: unknown;
    try {
      result = hook(cell.state, cell.context(), cell.crashReason ?? this.reason);
    } catch (err) {
      this.hookError = err;
    }
    if (!(result instanceof Promise)) {
      this.#finish();
      return;
    }
    this.#armDeadline(() => {
      this.forced = true;
      this.#finish();
    });
    result.then(() => this.#finish(), (err) => {
      this.hookError = err;
      this.#finish();
    });
  }

  #finish(): void {
    if (this.#phase === "done") return;
    this.#phase = "done";
    this.#disarm();
    const cell = this.#cell;
    const runtime = cell.runtime;
    cell.initialized = false;
    cell.persister = undefined;
    cell.cancelTimers();
    startCutOff(cell);
    if (this.mode === "cleanup") {
      this.#resolve();
      return;
    }
    const record = this.#record();
    runtime.recordDeath(record);
    if (this.mode === "restart") {
      this.#resolve();
      return;
    }
    cell.status = "stopped";
    cell.finalRecord = record;
    cell.drainToDeadLetters();
    runtime.removed(cell);
    const watchers = cell.watchers;
    cell.watchers = undefined;
    if (watchers !== undefined) {
      for (const watcher of watchers) {
        if (typeof watcher === "function") watcher(record);
        else watcher.signal({ kind: "terminated", ref: cell.ref, record });
      }
    }
    if (cell.remoteWatches !== undefined) {
      for (const unwatch of cell.remoteWatches.values()) unwatch();
      cell.remoteWatches = undefined;
    }
    if (cell.watching !== undefined) {
      for (const watched of cell.watching) watched.watchers?.delete(cell);
      cell.watching = undefined;
    }
    if (this.#notifyParent) runtime.childStopped(cell, this.reason);
    this.#resolve();
  }

  #record(): DeathRecord {
    const cell = this.#cell;
    // An actor that crashed before (or while) being stopped died of its crash.
    const reason = cell.crashReason ?? this.reason;
    const cleanup = cell.cleanup;
    const forced = this.forced || cleanup?.forced === true;
    const hookError = this.hookError ?? cleanup?.hookError;
    let kind: DeathKind = reason.kind;
    if (forced && (kind === "stopped" || kind === "shutdown")) kind = "timeout";
    const failed = reason.kind === "error" || reason.kind === "escalated" ||
      (reason.kind === "host-lost" && reason.error !== undefined);
    return {
      actor: cell.describe(),
      parent: cell.parent?.describe(),
      hostId: cell.runtime.hostId,
      kind,
      error: failed ? describeError(reason.error) : undefined,
      messageName: reason.kind === "error" ? reason.messageName : undefined,
      escalatedFrom: reason.kind === "escalated" ? reason.childId : undefined,
      restartCount: cell.incarnation,
      outcome: this.mode === "restart" ? "restarted" : "stopped",
      forced,
      stopHookError: hookError === undefined ? undefined : describeError(hookError),
      timestampMs: cell.runtime.clock.now(),
      ...(reason.kind === "owner-gone"
        ? { owner: { hostId: reason.ownerId, how: reason.how } }
        : {}),
    };
  }

  #armDeadline(onTimeout: () => void): void {
    const clock = this.#cell.runtime.clock;
    const remainingMs = this.deadlineMs - clock.now();
    // No deadline (a supervisor's, or a crashed actor's own cleanup): wait as long as it takes.
    if (remainingMs === Infinity) return;
    if (remainingMs <= 0) {
      onTimeout();
      return;
    }
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      onTimeout();
    }, remainingMs);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#cell.runtime.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
