/**
 * How `ctl`'s inspecting commands reach the cluster: an observer connected
 * for one command and closed after it, and one inspection of every host that
 * answers, refused as a failure when none did (a wrong cluster name or prefix
 * looks like an empty cluster otherwise).
 *
 * @module
 */

import type { ClusterObserver } from "../cluster/observer.ts";
import type { Inspection } from "../actors/observe/inspection.ts";
import { authIdentity } from "./_connect_flags.ts";
import { connectObserver } from "./_observer_connect.ts";
import { CtlError, positiveNumber, type Values } from "./_ctl_args.ts";

/**
 * Runs `body` with an observer of the cluster the flags name, then closes it.
 *
 * @param values The parsed flags.
 * @param body The command.
 * @returns What `body` returns.
 * @throws {CtlError} With exit code 2 for a bad `--auth` file or no cluster name, 1 when
 * NATS cannot be reached.
 */
export async function observe<T>(
  values: Values,
  body: (observer: ClusterObserver) => Promise<T>,
): Promise<T> {
  let auth;
  try {
    auth = authIdentity(values);
  } catch (err) {
    throw new CtlError((err as Error).message, 2);
  }
  const cluster = values.cluster ?? auth?.cluster ?? Deno.env.get("ACTORS_CLUSTER");
  if (cluster === undefined) throw new CtlError("--cluster is required (or set ACTORS_CLUSTER)", 2);
  let observer: ClusterObserver;
  try {
    observer = await connectObserver(values, auth, cluster);
  } catch (err) {
    throw new CtlError((err as Error).message);
  }
  try {
    return await body(observer);
  } finally {
    await observer.close();
  }
}

/**
 * Inspects every host that answers within `--timeout-ms`, after listening `--discover-ms`.
 *
 * @param observer The connected observer.
 * @param values The parsed flags.
 * @param recent Recent dead letters and deaths asked of each host.
 * @param cluster The cluster's name, for the failure.
 * @param actorsPerHost Live actors asked of each host (default: the observer's, 1000).
 * @returns The inspection.
 * @throws {CtlError} When no host answered.
 */
export async function inspect(
  observer: ClusterObserver,
  values: Values,
  recent: number,
  cluster: string,
  actorsPerHost?: number,
): Promise<Inspection> {
  const inspection = await observer.inspect({
    timeoutMs: positiveNumber(values, "timeout-ms", 2_000),
    discoverMs: positiveNumber(values, "discover-ms", 600),
    recent,
    actorsPerHost,
  });
  if (inspection.hosts.length === 0) {
    throw new CtlError(
      `no host of cluster '${cluster}' was heard (is the cluster name right? --prefix?)`,
    );
  }
  return inspection;
}
