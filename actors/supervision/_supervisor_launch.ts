/**
 * How a supervisor starts and stops one child: here, or on the host its
 * placement picks, trying other hosts when a movable child's chosen host
 * turns out to be gone. A start is done once the child's `init` and
 * `onStart` are (OTP's `start_link`); a child that fails them is stopped and
 * the start fails with a `ChildStartError`.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { ChildSpec } from "./supervisor_spec.ts";
import type { ExitReason } from "../exit_reason.ts";
import type { ChildEntry } from "./_supervisor_core.ts";
import {
  ActorStartError,
  HostUnreachableError,
  PlacementError,
  SystemStoppedError,
} from "../errors.ts";
import { RequestTimeoutError } from "../../base/errors.ts";
import { awaitStart } from "../_cell_started.ts";
import { ChildStartError } from "./errors.ts";

export function newEntry(spec: ChildSpec): ChildEntry {
  return {
    spec,
    cell: undefined,
    remote: undefined,
    restarts: 0,
    attempt: 0,
    lastFailureMs: -Infinity,
  };
}

/**
 * Starts a child, here or on the host its placement picks, and waits until
 * it has started.
 *
 * @param restarts How many times the child was restarted before this start.
 * @throws {ChildStartError} When its `init` or `onStart` failed (it is stopped then).
 */
export async function launch(
  supervisor: Cell,
  entry: ChildEntry,
  restarts: number = entry.restarts,
): Promise<void> {
  const { spec } = entry;
  const runtime = supervisor.runtime;
  const remote = runtime.remote;
  // A host chosen by a movable placement may turn out to be gone (it crashed
  // and is not declared lost yet): it is then marked unreachable, and the
  // placement is asked again, among the others. A pinned placement fails.
  const movable = spec.placement !== undefined && spec.placement.kind !== "host" &&
    spec.placement.kind !== "local";
  for (let attempt = 0;; attempt++) {
    const host = spec.placement === undefined ? runtime.hostId : remote.chooseHost(spec.placement);
    if (host === runtime.hostId) {
      const cell = runtime.spawn(
        spec.definition,
        { name: spec.name, args: spec.args, mailbox: spec.mailbox },
        supervisor,
        spec.shutdownTimeoutMs,
      );
      entry.cell = cell;
      entry.remote = undefined;
      await startOf(supervisor, entry, cell);
      return;
    }
    try {
      entry.remote = await remote.spawnRemoteChild(
        spec.definition,
        host,
        {
          name: spec.name,
          args: spec.args,
          mailbox: spec.mailbox,
        },
        supervisor.ref,
        restarts,
      );
      entry.cell = undefined;
      return;
    } catch (err) {
      if (ActorStartError.is(err)) {
        // Its host stopped it already; `cause` is what its init threw.
        throw new ChildStartError(supervisor.id, spec.id, { cause: (err as Error).cause ?? err });
      }
      // A host that answers it is shutting down (the request reached it before its goodbye) is gone too.
      const gone = HostUnreachableError.is(err) || RequestTimeoutError.is(err) ||
        SystemStoppedError.is(err);
      if (!movable || !gone || attempt >= MAX_PLACEMENT_ATTEMPTS) throw err;
    }
  }
}

/**
 * Waits for the start of a local child; one that failed it is stopped for
 * good (its supervisor does not restart it: the start itself failed).
 *
 * @throws {ChildStartError} When its start failed.
 */
export async function startOf(supervisor: Cell, entry: ChildEntry, cell: Cell): Promise<void> {
  try {
    await awaitStart(cell);
  } catch (err) {
    if (entry.cell === cell) entry.cell = undefined;
    await cell.stop(
      { kind: "error", error: err, messageName: undefined },
      deadline(supervisor, entry),
      false,
    );
    throw new ChildStartError(supervisor.id, entry.spec.id, { cause: err });
  }
}

/** How many other hosts a movable child is tried on when its chosen host turns out to be gone. */
const MAX_PLACEMENT_ATTEMPTS = 8;

export function running(entry: ChildEntry): boolean {
  return (entry.cell !== undefined && entry.cell.status !== "stopped") ||
    entry.remote !== undefined;
}

/** Whether a launch failed only because no host can take the child now (and it may move). */
export function noHostNow(entry: ChildEntry, err: unknown): boolean {
  const kind = entry.spec.placement?.kind;
  if (kind === undefined || kind === "host" || kind === "local") return false;
  return PlacementError.is(err) || HostUnreachableError.is(err) || RequestTimeoutError.is(err);
}

export async function stopChild(
  supervisor: Cell,
  entry: ChildEntry,
  reason: ExitReason,
): Promise<void> {
  if (entry.cell !== undefined) await entry.cell.stop(reason, deadline(supervisor, entry), false);
  if (entry.remote !== undefined) {
    await supervisor.runtime.remote.stopRemoteChild(
      entry.remote,
      reason,
      entry.spec.shutdownTimeoutMs,
    );
  }
  entry.cell = undefined;
  entry.remote = undefined;
}

/** When a child being stopped is cut off. */
export function deadline(supervisor: Cell, entry: ChildEntry): number {
  return supervisor.runtime.clock.now() + entry.spec.shutdownTimeoutMs;
}
