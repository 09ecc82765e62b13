/**
 * A cluster-wide inspection: this host's snapshot, and every other host's
 * asked for over its control subject, all at once and each with a timeout.
 * A host that does not answer in time is reported as `not-answering`, with
 * why; lost and departed hosts are reported from the view without asking.
 *
 * @module
 */

import type { ClusterHost } from "./cluster_host.ts";
import type { HostInfo } from "./view.ts";
import type { HostReport, HostSnapshot, Inspection } from "../actors/inspection.ts";
import { mergeSnapshots } from "../actors/inspection.ts";

/** Inspects every host of the cluster. */
export async function inspectCluster(
  cluster: ClusterHost,
  nowMs: () => number,
  recent: number,
  timeoutMs: number,
): Promise<Inspection> {
  const snapshots: HostSnapshot[] = [cluster.snapshot(recent)];
  const silent: HostReport[] = [];
  const asks: Promise<void>[] = [];
  for (const host of cluster.view.hosts()) {
    if (host.self) continue;
    if (host.state === "lost" || host.state === "left") {
      silent.push(hostWithoutDetails(host, host.state, `host is ${host.state}`));
      continue;
    }
    asks.push(
      cluster.inspectHost(host.hostId, recent, timeoutMs).then(
        (snapshot) => void snapshots.push(snapshot),
        (err: Error) =>
          void silent.push(
            hostWithoutDetails(
              host,
              host.state === "unreachable" ? "unreachable" : "not-answering",
              err.name === "RequestTimeoutError" || err.name === "TimeoutError"
                ? `did not answer within ${timeoutMs} ms`
                : `${err.name}: ${err.message}`,
            ),
          ),
      ),
    );
  }
  await Promise.all(asks);
  return mergeSnapshots(nowMs(), "cluster", snapshots, silent, recent);
}

function hostWithoutDetails(
  host: HostInfo,
  state: HostReport["state"],
  problem: string,
): HostReport {
  return {
    hostId: host.hostId,
    labels: host.labels,
    state,
    problem,
    self: false,
    uptimeMs: undefined,
    actorCount: undefined,
    queuedMessages: undefined,
    messagesPerSecond: undefined,
    connection: undefined,
  };
}
