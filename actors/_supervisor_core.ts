/**
 * What a supervisor does when children end: decide by their restart types,
 * check the restart intensity, stop the affected children in reverse start
 * order, wait out the backoff, and start them again in start order. Runs as
 * turns of the supervisor, so exits are handled one at a time, in order.
 *
 * Children may live on other hosts (a child spec with a `placement`). A
 * local child that fails is restarted in place (same ref, mailbox kept); a
 * remote child that fails has already stopped on its host, and is spawned
 * again per its placement. When a host is lost, all the supervisor's
 * children there end with `host-lost` as one event (one restart for the
 * intensity, however many children it held).
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import type { ChildExit, HandlerEntry } from "./_compiled.ts";
import type { ChildSpec, ResolvedStrategy } from "./supervisor_spec.ts";
import type { RestartWindow } from "./restart_intensity.ts";
import type { ActorContext } from "./context.ts";
import type { RemoteChild } from "./_cell_runtime.ts";
import { type ExitReason, isAbnormal, isTerminal, SHUTDOWN, STOPPED } from "./exit_reason.ts";
import { backoffDelayMs } from "./backoff.ts";
import { LocalRef } from "./local_ref.ts";
import {
  describeError,
  type ErrorInfo,
  HostUnreachableError,
  PlacementError,
  RequestTimeoutError,
  RestartIntensityError,
} from "./errors.ts";

/** One child as the supervisor tracks it. */
export interface ChildEntry {
  /** Its spec. */
  readonly spec: ChildSpec;
  /** Its cell, when it runs on this host. */
  cell: Cell | undefined;
  /** Its ref, when it runs on another host. */
  remote: RemoteChild | undefined;
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

/** One child that ended. */
interface Exit {
  readonly entry: ChildEntry;
  readonly reason: ExitReason;
  /** True when the child has stopped for good (remote children, final stops). */
  readonly gone: boolean;
}

/** A remote child's end, as reported by its host. */
export interface RemoteChildExit {
  /** The child's id. */
  readonly childId: string;
  /** Why it ended. */
  readonly reason: ExitReason;
}

/** A host where children may run is gone. */
export interface HostGoneNotice {
  /** The host. */
  readonly hostId: string;
  /** `"lost"`: declared lost; `"left"`: shut down gracefully. */
  readonly reason: "lost" | "left";
}

/** Starts a child from its spec: here, or on the host its placement picks. */
export async function startChild(supervisor: Cell, spec: ChildSpec): Promise<ChildEntry> {
  const entry = newEntry(spec);
  await launch(supervisor, entry);
  return entry;
}

/**
 * Starts a supervisor's children in order. When one may move but no host
 * can take it right now (every eligible host is gone for a moment), it and
 * the ones after it are started a little later, as a restart that found no
 * host is; any other failure fails the supervisor's start.
 */
export async function startChildren(
  supervisor: Cell,
  state: SupervisorState,
  specs: readonly ChildSpec[],
): Promise<void> {
  const entries = specs.map(newEntry);
  for (const [index, entry] of entries.entries()) {
    try {
      await launch(supervisor, entry);
      state.children.push(entry);
    } catch (err) {
      if (!noHostNow(entry, err)) throw err;
      state.children.push(...entries.slice(index));
      if (!retryLater(supervisor, state, { failed: new Set(), affected: entries.slice(index) })) {
        throw err;
      }
      return;
    }
  }
}

function newEntry(spec: ChildSpec): ChildEntry {
  return {
    spec,
    cell: undefined,
    remote: undefined,
    restarts: 0,
    attempt: 0,
    lastFailureMs: -Infinity,
  };
}

async function launch(supervisor: Cell, entry: ChildEntry): Promise<void> {
  const { spec } = entry;
  const runtime = supervisor.runtime;
  const cluster = runtime.remoteChildren;
  // A host chosen by a movable placement may turn out to be gone (it crashed
  // and is not declared lost yet): it is then marked unreachable, and the
  // placement is asked again, among the others. A pinned placement fails.
  const movable = spec.placement !== undefined && spec.placement.kind !== "host" &&
    spec.placement.kind !== "local";
  for (let attempt = 0;; attempt++) {
    const host = spec.placement === undefined || cluster === undefined
      ? runtime.hostId
      : cluster.chooseHost(spec.placement);
    if (host === runtime.hostId) {
      entry.cell = runtime.spawn(
        spec.definition,
        { name: spec.name, args: spec.args, mailbox: spec.mailbox },
        supervisor,
        spec.shutdownTimeoutMs,
      );
      entry.remote = undefined;
      return;
    }
    try {
      entry.remote = await cluster!.spawnRemoteChild(spec.definition, host, {
        name: spec.name,
        args: spec.args,
        mailbox: spec.mailbox,
      }, supervisor);
      entry.cell = undefined;
      return;
    } catch (err) {
      const gone = HostUnreachableError.is(err) || RequestTimeoutError.is(err);
      if (!movable || !gone || attempt >= MAX_PLACEMENT_ATTEMPTS) throw err;
    }
  }
}

/** How many other hosts a movable child is tried on when its chosen host turns out to be gone. */
const MAX_PLACEMENT_ATTEMPTS = 8;

function running(entry: ChildEntry): boolean {
  return (entry.cell !== undefined && entry.cell.status !== "stopped") ||
    entry.remote !== undefined;
}

/** The runtime calls this when a local child of a supervisor fails or stops: queue it as a turn. */
export function onChildExit(supervisor: Cell, exit: ChildExit): void {
  supervisor.deliverInternal(CHILD_EXIT, exit);
}

/** The cluster calls this when a remote child of this supervisor ended on its host. */
export function onRemoteChildExit(supervisor: Cell, exit: RemoteChildExit): void {
  supervisor.deliverInternal(REMOTE_CHILD_EXIT, exit);
}

/** The cluster calls this when a host is gone: the supervisor checks for children there. */
export function onHostGone(supervisor: Cell, gone: HostGoneNotice): void {
  supervisor.deliverInternal(HOST_GONE, gone);
}

function entryPoint(
  name: string,
  handle: (supervisor: Cell, state: SupervisorState, payload: unknown) => Promise<SupervisorState>,
): HandlerEntry {
  return Object.freeze({
    name,
    kind: "tell",
    fn: (state: unknown, payload: unknown, ctx: ActorContext<never>) =>
      handle(LocalRef.cellOf(ctx.self)!, state as SupervisorState, payload),
  });
}

const CHILD_EXIT = entryPoint("~child-exit", (supervisor, state, payload) => {
  const exit = payload as ChildExit;
  const entry = state.children.find((e) => e.cell === exit.child);
  if (entry === undefined || exit.child.incarnation !== exit.incarnation) {
    return Promise.resolve(state);
  }
  return handleExits(supervisor, state, [{ entry, reason: exit.reason, gone: exit.final }]);
});

const REMOTE_CHILD_EXIT = entryPoint("~remote-child-exit", (supervisor, state, payload) => {
  const exit = payload as RemoteChildExit;
  const entry = state.children.find((e) => e.remote?.id === exit.childId);
  if (entry === undefined) return Promise.resolve(state);
  recordRemoteChild(supervisor, entry, exit.reason, entry.remote!.hostId);
  return handleExits(supervisor, state, [{ entry, reason: exit.reason, gone: true }]);
});

const HOST_GONE = entryPoint("~host-gone", (supervisor, state, payload) => {
  const gone = payload as HostGoneNotice;
  const exits: Exit[] = [];
  for (const entry of state.children) {
    if (entry.remote?.hostId !== gone.hostId) continue;
    const reason: ExitReason = gone.reason === "lost"
      ? { kind: "host-lost", hostId: gone.hostId }
      : SHUTDOWN;
    recordRemoteChild(supervisor, entry, reason, gone.hostId);
    exits.push({ entry, reason, gone: true });
  }
  return exits.length === 0 ? Promise.resolve(state) : handleExits(supervisor, state, exits);
});

const RESTART_DUE = entryPoint(
  "~restart-due",
  (supervisor, state, payload) => restartAll(supervisor, state, payload as Restart),
);

/**
 * Records the end of a remote child on the supervisor's host too, so that
 * "why did it die" can be answered where its supervisor is (a child on a lost
 * host cannot record anything itself).
 */
function recordRemoteChild(
  supervisor: Cell,
  entry: ChildEntry,
  reason: ExitReason,
  hostId: string,
): void {
  const remote = entry.remote!;
  const runtime = supervisor.runtime;
  const error = "error" in reason ? errorInfoOf(reason.error) : undefined;
  runtime.recordDeath({
    actor: remote.name === undefined
      ? { id: remote.id, type: remote.type }
      : { id: remote.id, name: remote.name, type: remote.type },
    parent: supervisor.describe(),
    hostId,
    kind: reason.kind,
    error,
    messageName: reason.kind === "error" ? reason.messageName : undefined,
    escalatedFrom: reason.kind === "escalated" ? reason.childId : undefined,
    restartCount: entry.restarts,
    outcome: shouldRestart(entry, reason) ? "restarted" : "stopped",
    forced: false,
    stopHookError: undefined,
    timestampMs: runtime.clock.now(),
  });
}

/** An error that came over the wire is already plain data; anything else is described. */
function errorInfoOf(error: unknown): ErrorInfo {
  if (error !== null && typeof error === "object" && !(error instanceof Error)) {
    const e = error as Record<string, unknown>;
    if (typeof e.name === "string" && typeof e.message === "string") {
      return e as unknown as ErrorInfo;
    }
  }
  return describeError(error);
}

/** Stops a child for good and forgets its spec. */
export async function terminateChild(
  supervisor: Cell,
  state: SupervisorState,
  id: string,
): Promise<boolean> {
  const index = state.children.findIndex((e) => e.spec.id === id);
  if (index < 0) return false;
  const [entry] = state.children.splice(index, 1);
  await stopChild(supervisor, entry, STOPPED);
  return true;
}

/** Stops every remote child, in reverse start order (local ones stop with the supervisor's cell). */
export async function stopRemoteChildren(supervisor: Cell, state: SupervisorState): Promise<void> {
  for (const entry of [...state.children].reverse()) {
    if (entry.remote !== undefined) await stopChild(supervisor, entry, SHUTDOWN);
  }
}

async function stopChild(supervisor: Cell, entry: ChildEntry, reason: ExitReason): Promise<void> {
  if (entry.cell !== undefined) await entry.cell.stop(reason, deadline(supervisor, entry), false);
  if (entry.remote !== undefined) {
    await supervisor.runtime.remoteChildren?.stopRemoteChild(
      entry.remote,
      reason,
      entry.spec.shutdownTimeoutMs,
    );
  }
  entry.cell = undefined;
  entry.remote = undefined;
}

function shouldRestart(entry: ChildEntry, reason: ExitReason): boolean {
  const type = entry.spec.restart;
  if (type === "temporary" || isTerminal(reason)) return false;
  return type === "permanent" || isAbnormal(reason);
}

async function handleExits(
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
  for (const entry of [...affected].reverse()) {
    const exit = toRestart.find((x) => x.entry === entry);
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
interface Restart {
  readonly failed: ReadonlySet<ChildEntry>;
  readonly affected: readonly ChildEntry[];
}

/** Starts the affected children again, in start order. */
async function restartAll(
  supervisor: Cell,
  state: SupervisorState,
  restart: Restart,
): Promise<SupervisorState> {
  for (const [index, entry] of restart.affected.entries()) {
    if (supervisor.stopping !== undefined) return state;
    if (!state.children.includes(entry)) continue;
    if (entry.cell !== undefined && entry.cell.status === "restarting") {
      entry.cell.beginIncarnation();
    } else if (!running(entry)) {
      try {
        await launch(supervisor, entry);
      } catch (err) {
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
    } else continue;
    if (restart.failed.has(entry)) entry.restarts++;
  }
  return state;
}

/**
 * No host can take a child right now (every eligible one is gone or not
 * answering): its start is tried again shortly, counted as a restart, so
 * that the intensity decides when to give up (OTP retries a failed restart
 * too). False when the intensity is exceeded.
 */
function retryLater(supervisor: Cell, state: SupervisorState, rest: Restart): boolean {
  if (!state.window.tryRestart(supervisor.runtime.clock.now())) return false;
  supervisor.runtime.clock.setTimeout(
    () => supervisor.deliverInternal(RESTART_DUE, rest),
    PLACEMENT_RETRY_MS,
  );
  return true;
}

/** How long a supervisor waits before trying again to place a child no host could take. */
const PLACEMENT_RETRY_MS = 250;

/** Whether a launch failed only because no host can take the child now (and it may move). */
function noHostNow(entry: ChildEntry, err: unknown): boolean {
  const kind = entry.spec.placement?.kind;
  if (kind === undefined || kind === "host" || kind === "local") return false;
  return PlacementError.is(err) || HostUnreachableError.is(err) || RequestTimeoutError.is(err);
}

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
async function giveUp(
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

/** When a child being stopped is cut off. */
function deadline(supervisor: Cell, entry: ChildEntry): number {
  return supervisor.runtime.clock.now() + entry.spec.shutdownTimeoutMs;
}

/** Turns an exit reason into plain data for the wire (a remote child's host reports it). */
export function exitReasonInfo(reason: ExitReason): unknown {
  switch (reason.kind) {
    case "error":
      return { kind: "error", error: describeError(reason.error), messageName: reason.messageName };
    case "escalated":
      return { kind: "escalated", error: describeError(reason.error), childId: reason.childId };
    default:
      return reason;
  }
}
