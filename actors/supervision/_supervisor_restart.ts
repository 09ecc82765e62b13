/**
 * What a supervisor does when children end: decide by their restart types,
 * check the restart intensity, stop the affected children in reverse start
 * order, wait out the backoff, and start them again in start order, each
 * after the one before has started (or shortly, when no host can take a
 * movable child right now).
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { HandlerEntry } from "../_compiled.ts";
import type { ActorContext } from "../context.ts";
import type { ChildEntry, SupervisorState } from "./_supervisor_core.ts";
import { type ExitReason, isAbnormal, isTerminal, SHUTDOWN, STOPPED } from "../exit_reason.ts";
import { backoffDelayMs } from "./backoff.ts";
import { LocalRef } from "../local_ref.ts";
import { ChildStartError, RestartIntensityError } from "./errors.ts";
import { awaitStart } from "../_cell_started.ts";
import { deadline, launch, noHostNow, running, stopChild } from "./_supervisor_launch.ts";
import { restartEach } from "./_supervisor_parallel.ts";

/** One child that ended. */
export interface Exit {
  readonly entry: ChildEntry;
  readonly reason: ExitReason;
  /** True when the child has stopped for good (remote children, final stops). */
  readonly gone: boolean;
}

export function entryPoint(
  name: string,
  handle: (supervisor: Cell, state: SupervisorState, payload: unknown) => Promise<SupervisorState>,
): HandlerEntry {
  return Object.freeze({
    name,
    kind: "tell",
    internal: true,
    fn: (state: unknown, payload: unknown, ctx: ActorContext<never>) =>
      handle(LocalRef.cellOf(ctx.self)!, state as SupervisorState, payload),
  });
}

const RESTART_DUE = entryPoint(
  "~restart-due",
  (supervisor, state, payload) => restartAll(supervisor, state, payload as Restart),
);

/**
 * Whether a child that ended is started again. A supervisor child that gave
 * up (`escalated`) ended as OTP's supervisor does, with `shutdown`: a
 * permanent parent restarts it, a transient one takes that as a normal exit.
 */
export function shouldRestart(entry: ChildEntry, reason: ExitReason): boolean {
  const type = entry.spec.restart;
  if (type === "temporary" || isTerminal(reason)) return false;
  if (type === "permanent") return true;
  return isAbnormal(reason) && reason.kind !== "escalated";
}

export async function handleExits(
  supervisor: Cell,
  state: SupervisorState,
  exits: readonly Exit[],
): Promise<SupervisorState> {
  const toRestart: Exit[] = [];
  for (const exit of exits) {
    if (shouldRestart(exit.entry, exit.reason)) {
      toRestart.push(exit);
      continue;
    }
    if (!exit.gone) await stopChild(supervisor, exit.entry, exit.reason);
    exit.entry.cell = undefined;
    exit.entry.remote = undefined;
    if (exit.entry.spec.restart === "temporary") {
      state.children.splice(state.children.indexOf(exit.entry), 1);
    }
  }
  if (toRestart.length === 0) return state;
  const clock = supervisor.runtime.clock;
  const now = clock.now();
  if (!state.window.tryRestart(now)) {
    await giveUp(supervisor, state, toRestart);
    const first = toRestart[0];
    const { maxRestarts, withinMs } = state.strategy;
    throw new RestartIntensityError(supervisor.id, first.entry.spec.id, maxRestarts, withinMs, {
      cause: "error" in first.reason ? first.reason.error : first.reason,
    });
  }
  const delayMs = Math.max(...toRestart.map((exit) => backoff(state, exit.entry, now)));
  const failed = new Set(toRestart.map((exit) => exit.entry));
  const affected = affectedBy(state, failed);
  const exitOf = new Map(toRestart.map((exit) => [exit.entry, exit]));
  for (const entry of [...affected].reverse()) {
    const exit = exitOf.get(entry);
    if (exit !== undefined) {
      if (exit.gone) {
        entry.cell = undefined;
        entry.remote = undefined;
      } else {
        await entry.cell!.endIncarnation(exit.reason, deadline(supervisor, entry));
      }
    } else if (entry.spec.restart === "temporary") {
      await stopChild(supervisor, entry, STOPPED);
      state.children.splice(state.children.indexOf(entry), 1);
    } else if (entry.cell !== undefined && entry.cell.status !== "stopped") {
      await entry.cell.endIncarnation(STOPPED, deadline(supervisor, entry));
    } else if (entry.remote !== undefined) {
      await stopChild(supervisor, entry, STOPPED);
    }
  }
  const restart: Restart = { failed, affected };
  if (delayMs <= 0) return restartAll(supervisor, state, restart);
  // The backoff is waited out between turns, so the supervisor keeps answering
  // (and can be stopped) meanwhile; the restart comes back as a message.
  clock.setTimeout(() => supervisor.deliverInternal(RESTART_DUE, restart), delayMs);
  return state;
}

/** A restart whose children have been stopped, waiting to be started again. */
export interface Restart {
  readonly failed: ReadonlySet<ChildEntry>;
  readonly affected: readonly ChildEntry[];
}

/**
 * Starts the affected children again, in start order, each once the one
 * before it has started. When one does not start, the ones after it are not
 * started: its failure is handled as a new exit (OTP's "try again"), which
 * counts against the intensity.
 */
export function restartAll(
  supervisor: Cell,
  state: SupervisorState,
  restart: Restart,
): Promise<SupervisorState> {
  // Under one_for_one no child's start waits for another's: many start side by side.
  if (state.strategy.kind === "one_for_one" && restart.affected.length > 1) {
    return restartEach(supervisor, state, restart);
  }
  return restartInOrder(supervisor, state, restart);
}

async function restartInOrder(
  supervisor: Cell,
  state: SupervisorState,
  restart: Restart,
): Promise<SupervisorState> {
  for (const [index, entry] of restart.affected.entries()) {
    if (supervisor.stopping !== undefined) return state;
    if (!state.children.includes(entry)) continue;
    const counted = restart.failed.has(entry);
    try {
      if (entry.cell !== undefined && entry.cell.status === "restarting") {
        entry.cell.beginIncarnation();
        if (!(await startedInPlace(entry.cell))) {
          // Its failure is queued to this supervisor already (as the exit of
          // this incarnation), and is handled as the next exit.
          if (counted) entry.restarts++;
          return state;
        }
      } else if (!running(entry)) {
        await launch(supervisor, entry, entry.restarts + (counted ? 1 : 0));
      } else continue;
    } catch (err) {
      if (supervisor.stopping !== undefined) return state;
      if (ChildStartError.is(err)) {
        if (counted) entry.restarts++;
        return handleExits(supervisor, state, [startFailure(entry, err as ChildStartError)]);
      }
      if (!noHostNow(entry, err)) throw err;
      const rest: Restart = { failed: restart.failed, affected: restart.affected.slice(index) };
      if (!retryLater(supervisor, state, rest)) {
        await giveUp(supervisor, state, []);
        const { maxRestarts, withinMs } = state.strategy;
        throw new RestartIntensityError(
          supervisor.id,
          entry.spec.id,
          maxRestarts,
          withinMs,
          { cause: err },
        );
      }
      return state;
    }
    if (counted) entry.restarts++;
  }
  return state;
}

/**
 * The exit of a new actor whose start failed: it is stopped already, and
 * nothing else reports it, so the restart handles it as the next exit.
 */
export function startFailure(entry: ChildEntry, err: ChildStartError): Exit {
  const reason: ExitReason = { kind: "error", error: err.cause, messageName: undefined };
  return { entry, reason, gone: true };
}

/** Waits for the start of a child restarted in place (same cell, next incarnation); false when it failed. */
export async function startedInPlace(cell: Cell): Promise<boolean> {
  try {
    await awaitStart(cell);
    return true;
  } catch {
    return false;
  }
}

/**
 * No host can take a child right now (every eligible one is gone or not
 * answering): its start is tried again shortly, counted as a restart, so
 * that the intensity decides when to give up (OTP retries a failed restart
 * too). False when the intensity is exceeded.
 */
export function retryLater(supervisor: Cell, state: SupervisorState, rest: Restart): boolean {
  if (!state.window.tryRestart(supervisor.runtime.clock.now())) return false;
  supervisor.runtime.clock.setTimeout(
    () => supervisor.deliverInternal(RESTART_DUE, rest),
    PLACEMENT_RETRY_MS,
  );
  return true;
}

/** How long a supervisor waits before trying again to place a child no host could take. */
const PLACEMENT_RETRY_MS = 250;

/** The children that restart with the failed ones, in start order. */
function affectedBy(state: SupervisorState, failed: ReadonlySet<ChildEntry>): ChildEntry[] {
  switch (state.strategy.kind) {
    case "one_for_one":
      return state.children.filter((e) => failed.has(e));
    case "one_for_all":
      return [...state.children];
    case "rest_for_one": {
      const first = state.children.findIndex((e) => failed.has(e));
      return state.children.slice(first);
    }
    default: {
      const unknownKind: never = state.strategy.kind;
      throw new Error(`unknown strategy ${unknownKind}`);
    }
  }
}

/** The delay before this restart; also advances the child's backoff series. */
function backoff(state: SupervisorState, entry: ChildEntry, now: number): number {
  const options = state.strategy.backoff;
  if (options === undefined) return 0;
  if (now - entry.lastFailureMs >= options.resetAfterMs) entry.attempt = 0;
  entry.lastFailureMs = now;
  return backoffDelayMs(entry.attempt++, options);
}

/** The intensity is exceeded: stop every child for good, in reverse start order. */
export async function giveUp(
  supervisor: Cell,
  state: SupervisorState,
  exits: readonly Exit[],
): Promise<void> {
  for (const entry of [...state.children].reverse()) {
    const exit = exits.find((x) => x.entry === entry);
    if (exit?.gone) {
      entry.cell = undefined;
      entry.remote = undefined;
      continue;
    }
    await stopChild(supervisor, entry, exit?.reason ?? SHUTDOWN);
  }
}
