/**
 * How a host's object table (`put` / `get`) is wired to its runtime: keepers
 * are spawned as actors, refs resolved, other hosts known and stored values
 * read through the runtime's services.
 *
 * @module
 */

import { describeError } from "../base/errors.ts";
import { ObjectTable } from "./objects/object_table.ts";
import { Keeper } from "./objects/keeper.ts";
import type { Runtime } from "./runtime.ts";

/**
 * The shortest time an object fetch from another host may take before it is
 * given up: a large value takes longer than an ordinary ask.
 */
const MIN_FETCH_TIMEOUT_MS = 60_000;

/** What the object table uses of its runtime. */
export type ObjectsHost = Pick<
  Runtime,
  "hostId" | "clock" | "askTimeoutMs" | "spawn" | "resolveRef" | "remote" | "store" | "logger"
>;

/**
 * A new object table for this host. `remote` is read at each use, not kept:
 * the runtime's port changes when the system joins a cluster.
 *
 * @param runtime The host's runtime.
 * @returns The table.
 */
export function hostObjects(runtime: ObjectsHost): ObjectTable {
  return new ObjectTable({
    hostId: runtime.hostId,
    clock: runtime.clock,
    fetchTimeoutMs: Math.max(runtime.askTimeoutMs, MIN_FETCH_TIMEOUT_MS),
    spawnKeeper: (side) => runtime.spawn(Keeper as never, { args: side } as never, undefined).ref,
    resolveRef: (serialized) => runtime.resolveRef(serialized),
    knowsHost: (hostId) => runtime.remote.knowsHost(hostId),
    fanout: () => runtime.remote.objectFanout,
    store: () => runtime.store(),
    warn: (text, error) => runtime.logger.warn(text, { error: describeError(error).message }),
  });
}
