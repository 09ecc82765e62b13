/**
 * The steps of stopping one actor, with a deadline: wait for the running
 * turn, stop the children in reverse spawn order, run `onStop`, then drop the
 * mailbox to the dead letters and unregister.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import type { TimerHandle } from "./clock.ts";
import { type ExitReason, SHUTDOWN, STOPPED } from "./exit_reason.ts";

type Phase = "waiting" | "turn" | "children" | "hook" | "done";

/** One stop in progress. */
export class CellStop {
  /** Resolves once the actor has stopped. */
  readonly done: Promise<void>;
  /** Why the actor stops. */
  readonly reason: ExitReason;
  /** When the stop gives up waiting, in clock milliseconds. */
  readonly deadlineMs: number;
  /** True when the turn or `onStop` had to be cut off at the deadline. */
  forced = false;
  /** What `onStop` threw, if it threw. */
  hookError: unknown = undefined;
  #cell: Cell;
  #resolve!: () => void;
  #phase: Phase = "waiting";
  #timer: TimerHandle | undefined = undefined;

  /**
   * @param cell The actor to stop.
   * @param reason Why it stops.
   * @param deadlineMs When to stop waiting for it.
   */
  constructor(cell: Cell, reason: ExitReason, deadlineMs: number) {
    this.#cell = cell;
    this.reason = reason;
    this.deadlineMs = deadlineMs;
    this.done = new Promise((resolve) => this.#resolve = resolve);
  }

  /** Starts the stop (called once, after the current synchronous turn). */
  begin(): void {
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
    this.#phase = "children";
    const children = this.#cell.children;
    if (children !== undefined && children.size > 0) {
      void this.#stopChildren([...children].reverse());
      return;
    }
    this.#runHook();
  }

  async #stopChildren(children: Cell[]): Promise<void> {
    const reason = this.reason.kind === "shutdown" ? SHUTDOWN : STOPPED;
    for (const child of children) await child.stop(reason, this.deadlineMs);
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
      result = hook(cell.state, cell.context());
    } catch (err) {
      this.#hookFailed(err);
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
      this.#hookFailed(err);
      this.#finish();
    });
  }

  #hookFailed(err: unknown): void {
    this.hookError = err;
    console.error(`onStop of actor ${this.#cell.id} (${this.#cell.def.type}) threw`, err);
  }

  #finish(): void {
    if (this.#phase === "done") return;
    this.#phase = "done";
    this.#disarm();
    const cell = this.#cell;
    cell.status = "stopped";
    cell.cancelTimers();
    cell.drainToDeadLetters();
    cell.runtime.removed(cell);
    this.#resolve();
  }

  #armDeadline(onTimeout: () => void): void {
    const clock = this.#cell.runtime.clock;
    const remainingMs = this.deadlineMs - clock.now();
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
