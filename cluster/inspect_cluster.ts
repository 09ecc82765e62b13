/**
 * A cluster-wide inspection: this host's snapshot (when the inspector is a
 * host), and every other host's asked for over its control subject, all at
 * once and each with a timeout. A host that does not answer in time is
 * reported as `not-answering`, with why; lost and departed hosts are
 * reported from the view without asking.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { HostInfo } from "./view.ts";
import {
  type HostReport,
  type HostSnapshot,
  type Inspection,
  mergeSnapshots,
} from "../actors/internal.ts";
import { packValue, rebuildError, unpackValue } from "./codec.ts";

/** Where an inspection's parts come from. */
export interface InspectSources {
  /** The hosts to report, as the inspector sees them (its own included, if it is one). */
  readonly hosts: readonly HostInfo[];
  /** The inspector's own snapshot, when it is a host. */
  readonly own: HostSnapshot | undefined;
  /** Asks one other host for its snapshot. */
  readonly ask: (hostId: string) => Promise<HostSnapshot>;
}

/** Inspects every host: asks all at once, waits for each at most `timeoutMs`. */
export async function inspectHosts(
  sources: InspectSources,
  nowMs: () => number,
  recent: number,
  timeoutMs: number,
): Promise<Inspection> {
  const snapshots: HostSnapshot[] = sources.own === undefined ? [] : [sources.own];
  const silent: HostReport[] = [];
  const asks: Promise<void>[] = [];
  for (const host of sources.hosts) {
    if (host.self) continue;
    if (host.state === "lost" || host.state === "left") {
      silent.push(hostWithoutDetails(host, host.state, `host is ${host.state}`));
      continue;
    }
    asks.push(
      sources.ask(host.hostId).then(
        (snapshot) => void snapshots.push(snapshot),
        (err: Error) =>
          void silent.push(
            hostWithoutDetails(
              host,
              host.state === "unreachable" ? "unreachable" : "not-answering",
              err.name === "RequestTimeoutError"
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

/**
 * Asks one host for its part of an inspection.
 *
 * @throws {RequestTimeoutError} When it does not answer in time.
 * @throws When it answers with an error or with something undecodable.
 */
export async function requestSnapshot(
  transport: Transport,
  subjects: Subjects,
  hostId: string,
  recent: number,
  timeoutMs: number,
): Promise<HostSnapshot> {
  const answer = unpackValue(
    await transport.request(subjects.control(hostId, "inspect"), packValue({ recent }), timeoutMs),
    () => undefined,
  ) as
    | { ok: true; snapshot: HostSnapshot }
    | { ok: false; error: { name: string; message: string; code?: string } }
    | undefined;
  if (answer === undefined || answer === null || typeof answer !== "object") {
    throw new Error(`host ${hostId} gave an undecodable answer`);
  }
  if (!answer.ok) throw rebuildError(answer.error, hostId);
  return { ...answer.snapshot, host: { ...answer.snapshot.host, self: false } };
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
