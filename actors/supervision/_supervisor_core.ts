/**
 * A supervisor's children and the events that end them: it starts them in
 * order, hears a local child's exit, a remote child's exit (reported by its
 * host) and the loss of a host, and hands each as one event, in order, to
 * the restart logic (`_supervisor_restart.ts`); starting one child on a host
 * is `_supervisor_launch.ts`.
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

import type { Cell } from "../cell.ts";
import type { ChildExit } from "../_compiled.ts";
import type { ChildSpec, ResolvedStrategy } from "./supervisor_spec.ts";
import type { RestartWindow } from "./restart_intensity.ts";
import type { RemoteChild } from "../remote_port.ts";
import { type ExitReason, SHUTDOWN, STOPPED } from "../exit_reason.ts";
import { describeError, type ErrorInfo } from "../../base/errors.ts";
import { launch, newEntry, noHostNow, stopChild } from "./_supervisor_launch.ts";
import {
  entryPoint,
  type Exit,
  handleExits,
  retryLater,
  shouldRestart,
} from "./_supervisor_restart.ts";

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

/**
 * Starts a child from its spec, here or on the host its placement picks, and
 * waits until it has started.
 *
 * @throws {ChildStartError} When its `init` or `onStart` failed (it is stopped then).
 */
export async function startChild(supervisor: Cell, spec: ChildSpec): Promise<ChildEntry> {
  const entry = newEntry(spec);
  await launch(supervisor, entry);
  return entry;
}

/**
 * Starts a supervisor's children in order, each once the one before has
 * started (OTP's `start_link`). When one may move but no host can take it
 * right now (every eligible host is gone for a moment), it and the ones
 * after it are started a little later, as a restart that found no host is.
 * Any other failure (a child whose `init` failed: `ChildStartError`) fails
 * the supervisor's start, after the children started so far are stopped,
 * in reverse start order; the ones after it are never started.
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
      if (noHostNow(entry, err)) {
        state.children.push(...entries.slice(index));
        const rest = { failed: new Set<ChildEntry>(), affected: entries.slice(index) };
        if (retryLater(supervisor, state, rest)) return;
      }
      for (const started of [...state.children].reverse()) {
        await stopChild(supervisor, started, SHUTDOWN);
      }
      throw err;
    }
  }
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

/**
 * Stops every child, local or remote, in reverse start order (after
 * restarts, a child that is a new actor keeps its place); the runtime calls
 * it when the supervisor stops or restarts.
 */
export async function stopChildrenInOrder(
  supervisor: Cell,
  state: unknown,
  reason: ExitReason,
  deadlineMs: number,
): Promise<void> {
  const clock = supervisor.runtime.clock;
  for (const entry of [...(state as SupervisorState).children].reverse()) {
    const budgetMs = Math.max(0, Math.min(entry.spec.shutdownTimeoutMs, deadlineMs - clock.now()));
    if (entry.cell !== undefined && entry.cell.status !== "stopped") {
      await entry.cell.stop(reason, clock.now() + budgetMs, false);
    } else if (entry.remote !== undefined) {
      await supervisor.runtime.remote.stopRemoteChild(entry.remote, reason, budgetMs);
    }
    entry.cell = undefined;
    entry.remote = undefined;
  }
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
