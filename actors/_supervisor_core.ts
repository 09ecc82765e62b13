/**
 * What a supervisor does when a child ends: decide by its restart type,
 * check the restart intensity, stop the affected children in reverse start
 * order, wait out the backoff, and start them again in start order. Runs as a
 * turn of the supervisor, so exits are handled one at a time, in order.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import type { ChildExit, HandlerEntry } from "./_compiled.ts";
import type { ChildSpec, ResolvedStrategy } from "./supervisor_spec.ts";
import type { RestartWindow } from "./restart_intensity.ts";
import type { ActorContext } from "./context.ts";
import { type ExitReason, isAbnormal, isTerminal, SHUTDOWN, STOPPED } from "./exit_reason.ts";
import { backoffDelayMs } from "./backoff.ts";
import { LocalRef } from "./local_ref.ts";
import { RestartIntensityError } from "./errors.ts";

/** One child as the supervisor tracks it. */
export interface ChildEntry {
  /** Its spec. */
  readonly spec: ChildSpec;
  /** Its cell, or `undefined` when it is not running. */
  cell: Cell | undefined;
  /** How many times the supervisor restarted it. */
  restarts: number;
  /** Consecutive restarts, for the backoff. */
  attempt: number;
  /** When it last failed, in clock milliseconds. */
  lastFailureMs: number;
}

/** A supervisor's state. */
export interface SupervisorState {
  /** Its strategy, with defaults. */
  readonly strategy: ResolvedStrategy;
  /** Its children, in start order. */
  readonly children: ChildEntry[];
  /** Its recent restarts. */
  readonly window: RestartWindow;
}

/** Spawns a child of the supervisor from its spec. */
export function startChild(supervisor: Cell, spec: ChildSpec): ChildEntry {
  const cell = spawn(supervisor, spec);
  return { spec, cell, restarts: 0, attempt: 0, lastFailureMs: -Infinity };
}

function spawn(supervisor: Cell, spec: ChildSpec): Cell {
  return supervisor.runtime.spawn(
    spec.definition,
    { name: spec.name, args: spec.args, mailbox: spec.mailbox },
    supervisor,
    spec.shutdownTimeoutMs,
  );
}

/** The runtime calls this when a child of a supervisor fails or stops: queue it as a turn. */
export function onChildExit(supervisor: Cell, exit: ChildExit): void {
  supervisor.deliverInternal(CHILD_EXIT, exit);
}

const CHILD_EXIT: HandlerEntry = Object.freeze({
  name: "~child-exit",
  kind: "tell",
  fn: (state: unknown, exit: unknown, ctx: ActorContext<never>) =>
    handleExit(LocalRef.cellOf(ctx.self)!, state as SupervisorState, exit as ChildExit),
});

/** Stops a child for good and forgets its spec. */
export async function terminateChild(state: SupervisorState, id: string): Promise<boolean> {
  const index = state.children.findIndex((e) => e.spec.id === id);
  if (index < 0) return false;
  const [entry] = state.children.splice(index, 1);
  await entry.cell?.stop(STOPPED, deadline(entry), false);
  return true;
}

async function handleExit(
  supervisor: Cell,
  state: SupervisorState,
  exit: ChildExit,
): Promise<SupervisorState> {
  const entry = state.children.find((e) => e.cell === exit.child);
  if (entry === undefined || exit.child.incarnation !== exit.incarnation) return state;
  const restartType = entry.spec.restart;
  if (
    restartType === "temporary" || isTerminal(exit.reason) ||
    (restartType === "transient" && !isAbnormal(exit.reason))
  ) {
    if (!exit.final) await exit.child.stop(exit.reason, deadline(entry), false);
    if (restartType === "temporary") state.children.splice(state.children.indexOf(entry), 1);
    else entry.cell = undefined;
    return state;
  }
  const clock = supervisor.runtime.clock;
  const now = clock.now();
  if (!state.window.tryRestart(now)) {
    await giveUp(state, entry, exit);
    const { maxRestarts, withinMs } = state.strategy;
    throw new RestartIntensityError(supervisor.id, entry.spec.id, maxRestarts, withinMs, {
      cause: "error" in exit.reason ? exit.reason.error : undefined,
    });
  }
  const delayMs = backoff(state, entry, now);
  const affected = affectedBy(state, entry);
  for (const e of [...affected].reverse()) {
    const cell = e.cell;
    if (cell === undefined || (e === entry && exit.final)) continue;
    if (e !== entry && e.spec.restart === "temporary") {
      await cell.stop(STOPPED, deadline(e), false);
      state.children.splice(state.children.indexOf(e), 1);
      continue;
    }
    await cell.endIncarnation(e === entry ? exit.reason : STOPPED, deadline(e));
  }
  const restart: Restart = { failed: entry, affected };
  if (delayMs <= 0) return restartAll(supervisor, state, restart);
  // The backoff is waited out between turns, so the supervisor keeps answering
  // (and can be stopped) meanwhile; the restart comes back as a message.
  clock.setTimeout(() => supervisor.deliverInternal(RESTART_DUE, restart), delayMs);
  return state;
}

/** A restart whose backoff is being waited out. */
interface Restart {
  readonly failed: ChildEntry;
  readonly affected: readonly ChildEntry[];
}

const RESTART_DUE: HandlerEntry = Object.freeze({
  name: "~restart-due",
  kind: "tell",
  fn: (state: unknown, restart: unknown, ctx: ActorContext<never>) =>
    restartAll(LocalRef.cellOf(ctx.self)!, state as SupervisorState, restart as Restart),
});

/** Starts the affected children again, in start order. */
function restartAll(supervisor: Cell, state: SupervisorState, restart: Restart): SupervisorState {
  for (const e of restart.affected) {
    if (!state.children.includes(e) || e.cell === undefined) continue;
    if (e.cell.status === "restarting") e.cell.beginIncarnation();
    else if (e.cell.status === "stopped") e.cell = spawn(supervisor, e.spec);
    else continue;
    if (e === restart.failed) e.restarts++;
  }
  return state;
}

/** The children that restart with `failed`, in start order. */
function affectedBy(state: SupervisorState, failed: ChildEntry): ChildEntry[] {
  switch (state.strategy.kind) {
    case "one_for_one":
      return [failed];
    case "one_for_all":
      return [...state.children];
    case "rest_for_one":
      return state.children.slice(state.children.indexOf(failed));
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
async function giveUp(state: SupervisorState, failed: ChildEntry, exit: ChildExit): Promise<void> {
  for (const e of [...state.children].reverse()) {
    const reason: ExitReason = e === failed ? exit.reason : SHUTDOWN;
    await e.cell?.stop(reason, deadline(e), false);
    e.cell = undefined;
  }
}

/** When a child being stopped is cut off. */
function deadline(entry: ChildEntry): number {
  return (entry.cell?.runtime.clock.now() ?? 0) + entry.spec.shutdownTimeoutMs;
}
