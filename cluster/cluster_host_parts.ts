/**
 * The parts of one cluster host, built and joined: remoting, requests to
 * other hosts and answers to theirs (`control.ts`), remotely supervised
 * children, owned actors, death watch across hosts, inspection and
 * liveness, each given what it needs of the others. `cluster_host.ts` is
 * their door, the runtime's port to other hosts. They are built in the
 * order the host joins: it subscribes before its liveness announces it.
 *
 * @module
 */

import type { Transport, TransportMessage, TransportSubscription } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type {
  ActorStats,
  DeathRecord,
  HostActorQuery,
  LocalHost,
  Runtime,
} from "../actors/internal.ts";
import { type ClusterView, isMember } from "./view.ts";
import type { FenceCause } from "./presence.ts";
import type { Liveness } from "./liveness.ts";
import { runInSlices } from "../base/slices.ts";
import { HostHungError } from "./errors.ts";
import { RemoteRef, type RemoteSender } from "./remote_ref.ts";
import { RemoteWatches } from "./remote_watches.ts";
import { RemoteChildren } from "./remote_children.ts";
import { OwnedActors } from "./owned_actors.ts";
import { Remoting } from "./remoting.ts";
import { answerControl } from "./control.ts";
import type { ControlSeams } from "./control_seams.ts";
import { resolveSpawnRate, SpawnRateLimiter } from "./spawn_rate.ts";
import { RememberedSpawns } from "./remembered_spawns.ts";
import { HostRequests } from "./host_requests.ts";
import type { TakeoverSeams } from "./key_takeover.ts";
import { HostInspection, sumCounts } from "./host_inspection.ts";
import { goneWithHost, hostGone, HostGoneListeners } from "./host_gone.ts";
import type { ClusterHostSettings } from "./cluster_host_settings.ts";

/** What a host joins a cluster with. */
export interface JoinSeams {
  /** This host's runtime. */
  readonly runtime: Runtime;
  /** This host's actors, by id. */
  readonly local: LocalHost;
  /** The connection to the other hosts. */
  readonly transport: Transport;
  /** The subjects of this cluster. */
  readonly subjects: Subjects;
  /** The other hosts as this one sees them, kept up to date by its liveness. */
  readonly view: ClusterView;
  /** Its settings. */
  readonly settings: ClusterHostSettings;
}

/** The joined parts of one cluster host. */
export interface ClusterHostParts {
  /** Frames in, effects out. */
  readonly remoting: Remoting;
  /** What a remote ref sends through. */
  readonly sender: RemoteSender;
  /** Spawn, stop, watch and stats requests to other hosts. */
  readonly requests: HostRequests;
  /** The actors of this host supervised from another. */
  readonly children: RemoteChildren;
  /** The actors of this host owned by a program on another. */
  readonly owned: OwnedActors;
  /** The actors of other hosts watched from this one. */
  readonly watches: RemoteWatches;
  /** This host's part of inspections, and its requests for other hosts'. */
  readonly inspection: HostInspection;
  /** What a key takeover asks of the cluster (`key_takeover.ts`). */
  readonly takeover: TakeoverSeams;
  /** Who hears of other hosts gone, beside the parts. */
  readonly goneListeners: HostGoneListeners;
  /** The subscriptions to this host's inbox, bounces and controls. */
  readonly subscriptions: readonly TransportSubscription[];
  /** Its heartbeats and failure detection, started. */
  readonly liveness: Liveness;
}

/** Builds a host's parts, subscribes it, and starts its liveness (which announces it). */
export function joinCluster(seams: JoinSeams): ClusterHostParts {
  const { runtime, local, transport, subjects, view, settings } = seams;
  /** Control requests refused, by reason (`spawn-rate-limited`). */
  const controlRefused: Record<string, number> = {};
  const goneListeners = new HostGoneListeners();
  const remoting = new Remoting({
    runtime,
    local,
    transport,
    subjects,
    view,
    maxInboundBytes: settings.maxInboundBytes,
    ...(settings.maxMessageBytes === undefined
      ? {}
      : { maxMessageBytes: settings.maxMessageBytes }),
    wireStacks: settings.wireStacks === true,
    ...(settings.directChannel === undefined ? {} : { directChannel: settings.directChannel }),
    ...(settings.fanoutTiming === undefined ? {} : { fanoutTiming: settings.fanoutTiming }),
    actorStopped: (actorId, record) => watches.stopped(actorId, record),
    leaveSettled: (hostId) => runtime.entities.leaveSettled(hostId),
  });
  const sender: RemoteSender = {
    tell: (ref, name, payload) => remoting.tell(ref, name, payload),
    ask: (ref, name, payload, options) => remoting.ask(ref, name, payload, options),
    stats: (ref) => remoteStats(requests, runtime, ref),
  };
  const requests = new HostRequests({
    selfId: runtime.hostId,
    transport,
    subjects,
    view,
    clock: runtime.clock,
    spawnTimeoutMs: settings.spawnTimeoutMs,
    onHostGone: (listener) => goneListeners.add(listener),
    remoteRef: (serialized, hostId) => new RemoteRef(serialized, hostId, sender),
  });
  const children = new RemoteChildren(
    local,
    (supervisor, childId, reason) => remoting.childExited(supervisor, childId, reason),
  );
  const owned = new OwnedActors(local, (hostId) => {
    const state = view.get(hostId)?.state;
    return state === "left" || state === "lost" ? state : undefined;
  });
  const watches = new RemoteWatches({
    request: (hostId, actorId) => requests.watch(hostId, actorId),
    goneWithHost: (actor, hostId, reason) => goneWithHost(actor, hostId, reason, runtime),
  });
  const inspection = new HostInspection({
    local,
    transport,
    subjects,
    labels: settings.labels,
    children,
    owned,
    refused: () => sumCounts(sumCounts(remoting.stats.rejected, controlRefused), liveness.refused),
  });
  const takeover: TakeoverSeams = {
    view,
    holderRuns: async (hostId, actorId, timeoutMs) =>
      await requests.stats(hostId, actorId, timeoutMs) !== undefined,
    isMember: (hostId) => {
      const state = view.get(hostId)?.state;
      return state !== undefined && isMember(state);
    },
    now: () => runtime.clock.now(),
    pause: (ms) =>
      new Promise((resolve) => {
        const timer = runtime.clock.setTimeout(resolve, ms);
        runtime.clock.keepAlive(timer, false);
      }),
  };
  const control: ControlSeams = {
    runtime,
    local,
    transport,
    moduleGate: settings.moduleGate,
    supervisedBy: children.supervisedBy,
    owned,
    spawns: new RememberedSpawns(),
    spawnRate: new SpawnRateLimiter(resolveSpawnRate(settings.spawnRate), runtime.clock),
    refused: controlRefused,
    snapshot: (recent: number, listLimit: number) => inspection.snapshot(recent, listLimit),
    page: (query: HostActorQuery) => inspection.page(query),
    watchers: new Map<string, Set<string>>(),
    notifyStopped: (host: string, actor: string, record: DeathRecord) =>
      remoting.actorStopped(host, actor, record),
    senderOf: (subject: string) => subjects.senderOf(subject),
    directOffer: (sender: string) => remoting.directOffer(sender),
  };
  const subscriptions = [
    transport.subscribe(subjects.inbox(), (m) => remoting.receive(m)),
    transport.subscribe(subjects.bounces(), (m) => remoting.bounced(m)),
    transport.subscribe(
      subjects.controls(),
      (m: TransportMessage) => void answerControl(control, m),
    ),
  ];
  const gone = { runtime, remoting, local, watches, children, owned, listeners: goneListeners };
  const liveness = settings.liveness({
    hostId: runtime.hostId,
    clock: runtime.clock,
    log: { info: (text) => runtime.logger.info(text), warn: (text) => runtime.logger.warn(text) },
    transport,
    subjects,
    view,
    labels: settings.labels,
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    suspicionTimeoutMs: settings.suspicionTimeoutMs,
    actorCount: () => runtime.size,
    mailboxDepth: () => runInSlices(runtime.loadSteps()).then((load) => load.queuedMessages),
    preempt: runtime.scheduler.preempt,
    fence: (cause) => fence(runtime, cause),
    onGone: (hostId, reason) => hostGone(gone, hostId, reason),
  });
  return {
    remoting,
    sender,
    requests,
    children,
    owned,
    watches,
    inspection,
    takeover,
    goneListeners,
    subscriptions,
    liveness,
  };
}

/** Stops every actor of this host: it was declared lost, or its loop hung. */
async function fence(runtime: Runtime, cause: FenceCause): Promise<void> {
  const hostId = runtime.hostId;
  const error = cause.kind === "hung"
    ? new HostHungError(hostId, cause.stalledMs, cause.hangLimitMs)
    : undefined;
  if (error !== undefined) runtime.logger.warn(error.message);
  // Before its actors stop: an entity message arriving meanwhile must not
  // start an activation on a claim that another host may be taking over.
  runtime.entities.fenced();
  await runtime.stopAll({ kind: "host-lost", hostId, ...(error ? { error } : {}) });
}

/** The counters of a remote actor, read from its host; "stopped" when it is gone. */
async function remoteStats(
  requests: HostRequests,
  runtime: Runtime,
  ref: RemoteRef,
): Promise<ActorStats> {
  const stats = await requests.stats(ref.hostId, ref.id, runtime.askTimeoutMs);
  return stats ?? {
    id: ref.id,
    name: ref.name,
    type: ref.type,
    status: "stopped",
    mailbox: { kind: "unbounded", depth: 0, bytes: 0 },
    handled: 0,
    restarts: 0,
    children: 0,
  };
}
