/**
 * The hosts of a system that joined a cluster. This module (and with it
 * NATS and MessagePack) is loaded only when a system joins one.
 *
 * @module
 */

import { holderStanding, StoreClaims } from "../cluster/entity_claims.ts";
import { onMainThread } from "../base/main_thread.ts";
import type { Hosts, InspectScope } from "./hosts.ts";
import type { Runtime } from "../actors/runtime.ts";
import type { ActorDefinition } from "../actors/definition.ts";
import type { BaseRef } from "../actors/ref.ts";
import type { SpawnOptions } from "../actors/spawn_options.ts";
import type { Placement } from "../actors/placement.ts";
import { type HostInfo, isMember, isUp } from "../cluster/view.ts";
import { reads } from "../cluster/capabilities.ts";
import type { TransportStatus } from "../transport/transport.ts";
import {
  type Inspection,
  mergeSnapshots,
  mergeSnapshotsInSlices,
} from "../actors/observe/inspection.ts";
import {
  checkClusterOptions,
  type ClusterOptions,
  DEFAULT_SPAWN_TIMEOUT_MS,
} from "../cluster/options.ts";
import { ClusterHost, type TransportStats } from "../cluster/cluster_host.ts";
import { RemoteRef } from "../cluster/remote_ref.ts";
import { inspectHosts } from "../cluster/inspect_cluster.ts";
import { pageAcrossHosts } from "../actors/observe/page_hosts.ts";
import { DISPLAY_ACTORS } from "./solo_hosts.ts";
import type { ActorPage, ActorQuery } from "../actors/observe/actor_pages.ts";
import { ClusterConnectError } from "../cluster/errors.ts";
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_SUSPICION_TIMEOUT_MS,
} from "../cluster/membership.ts";
import { NatsTransport } from "../transport/nats_transport.ts";
import { withoutCredentials } from "../transport/nats_connect.ts";
import { readAuthFile } from "../transport/auth_file.ts";
import { authFileProblem } from "../cluster/auth_config.ts";
import { sameLoopLiveness } from "../cluster/liveness.ts";
import {
  DEFAULT_BUSY_AFTER_MS,
  DEFAULT_HANG_LIMIT_MS,
  workerLiveness,
} from "../cluster/worker_liveness.ts";
import { DEFAULT_SUBJECT_PREFIX } from "../transport/subjects.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { LIVENESS_OVERRIDE, type WithLivenessOverride } from "./_liveness_override.ts";
import { MODULE_TRUST, type WithModuleTrust } from "./_module_trust.ts";
import { moduleGate } from "../cluster/definitions.ts";
import { parseModuleLocations } from "../cluster/module_allowlist.ts";
import { type DirectChannelPolicy, resolveDirectChannel } from "../cluster/direct_policy.ts";
import { readDirectTls } from "../cluster/direct_tls.ts";

/**
 * Joins a cluster: connects (unless a transport is given), subscribes,
 * announces this host, and attaches the cluster as the runtime's port to
 * other hosts.
 *
 * @param runtime The system's runtime.
 * @param options The cluster options.
 * @param releaseNames Clears the cluster-wide names held on a host that is
 *   gone (called on one live host only: the one with the lowest id).
 * @returns The hosts port of the system.
 * @throws {InvalidOptionError} For bad options.
 * @throws {ClusterConnectError} When the NATS servers cannot be reached.
 */
export async function joinCluster(
  runtime: Runtime,
  options: ClusterOptions,
  releaseNames: (hostId: string) => void,
): Promise<Hosts> {
  checkClusterOptions(options);
  const prefix = options.prefix ?? DEFAULT_SUBJECT_PREFIX;
  checkAuthFile(options, runtime.hostId, prefix);
  let transport = options.transport;
  if (transport === undefined) {
    const servers = options.servers!;
    try {
      const nats = await NatsTransport.connect(servers, {
        name: `actor-host ${runtime.hostId}`,
        ...options.connect,
      });
      // On the main thread the connection alone does not keep a finished program running.
      if (onMainThread()) nats.release();
      transport = nats;
      if (onMainThread() && withoutCredentials(options.connect ?? {})) {
        runtime.logger.info(
          "joined an open NATS server without credentials: any client on it can act as any " +
            "host; see docs/security.md",
        );
      }
    } catch (err) {
      throw new ClusterConnectError(String(servers), { cause: err });
    }
  }
  const override = (options as WithLivenessOverride)[LIVENESS_OVERRIDE];
  const liveness = override !== undefined
    ? override
    : options.servers !== undefined && options.liveness !== "same-loop"
    ? workerLiveness({
      servers: options.servers,
      connect: { ...options.connect },
      cluster: options.name,
      prefix,
      busyAfterMs: options.busyAfterMs ?? DEFAULT_BUSY_AFTER_MS,
      hangLimitMs: options.hangLimitMs ?? DEFAULT_HANG_LIMIT_MS,
    })
    : sameLoopLiveness;
  const cluster = new ClusterHost(runtime, transport, {
    cluster: options.name,
    prefix,
    labels: { ...options.labels },
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    suspicionTimeoutMs: options.suspicionTimeoutMs ?? DEFAULT_SUSPICION_TIMEOUT_MS,
    spawnTimeoutMs: options.spawnTimeoutMs ?? DEFAULT_SPAWN_TIMEOUT_MS,
    moduleGate: moduleGate(
      parseModuleLocations(options.moduleAllowlist ?? [], "cluster.moduleAllowlist"),
      (options as WithModuleTrust)[MODULE_TRUST],
    ),
    ...(options.spawnRate === undefined ? {} : { spawnRate: options.spawnRate }),
    ownsTransport: options.transport === undefined,
    maxInboundBytes: options.maxInboundBytes ?? transport.maxPayloadBytes,
    ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }),
    wireStacks: options.wireStacks === true,
    ...directChannelOf(options, runtime.hostId),
    fanoutTiming: {
      ...(options.fanoutWindowMs === undefined ? {} : { fanoutWindowMs: options.fanoutWindowMs }),
      ...(options.fanoutReadyTimeoutMs === undefined
        ? {}
        : { fanoutReadyTimeoutMs: options.fanoutReadyTimeoutMs }),
    },
    liveness,
  });
  // Installed before the host can receive: a message for an entity that
  // arrives while it joins must claim the shard (or go to its holder), not
  // take it as its own, as every shard is in a system alone.
  // A holder that is only unreachable may be alive behind a cut: its claim stands until it is lost.
  const claims = new StoreClaims(
    runtime.hostId,
    () => cluster.epoch,
    () => runtime.store(),
    (hostId, epoch) => holderStanding(cluster.view.get(hostId), epoch),
    () => runtime.clock.now(),
  );
  runtime.entities.claims = claims;
  // The one view hook entities need: hand keys to a host that came up, stop forwarding to one that went.
  cluster.view.onChange((host) => {
    if (host.self) return;
    const standing = isUp(host.state) ? "up" : isMember(host.state) ? "suspect" : "gone";
    // A host that left and reads the fences of a leave answers this one's (its relays first).
    const settles = host.state === "left" && reads(host.capabilities, "leave-fence");
    runtime.entities.hostChanged(host.hostId, standing, settles);
  });
  // A host cut off from the cluster hears of no view change, yet its shards may be taken meanwhile.
  transport.onStatus((status) => {
    if (status === "connected") claims.reconnected();
    runtime.entities.connectionChanged(status === "connected");
  });
  const solo = { port: runtime.remote, claims: runtime.entities.claims };
  runtime.remote = cluster;
  try {
    await cluster.ready;
  } catch (err) {
    runtime.remote = solo.port;
    runtime.entities.claims = solo.claims;
    await cluster.close().catch(() => {});
    throw new ClusterConnectError(String(options.servers), { cause: err });
  }
  // Counted from now: joining took a while, and only now has this host heard its peers.
  claims.reconnected();
  cluster.onHostGone((gone) => {
    if (cluster.view.isLowestUp(runtime.hostId)) releaseNames(gone.hostId);
  });
  return new ClusterHosts(runtime, cluster);
}

/**
 * A host that joins with a credentials file must speak as the file's
 * member: any other id, cluster or prefix would have the server refuse all
 * it publishes, which is better said now, once.
 */
function checkAuthFile(options: ClusterOptions, hostId: string, prefix: string): void {
  const path = options.connect?.authFile;
  if (path === undefined) return;
  const problem = authFileProblem(readAuthFile(path), hostId, options.name, prefix);
  if (problem !== undefined) {
    throw new InvalidOptionError("cluster.connect.authFile", path, problem);
  }
}

/** The hosts of a cluster, through this host's membership. */
class ClusterHosts implements Hosts {
  readonly defaultScope: InspectScope = "cluster";
  readonly #runtime: Runtime;
  readonly #cluster: ClusterHost;

  constructor(runtime: Runtime, cluster: ClusterHost) {
    this.#runtime = runtime;
    this.#cluster = cluster;
  }

  namesStoreProblem(sharedStore: boolean): Error | undefined {
    return sharedStore ? undefined : new InvalidOptionError(
      "store",
      "the embedded file store",
      "a store the hosts share (a JetStreamStore) for cluster-wide names",
    );
  }

  spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> & { readonly placement: Placement },
  ): Promise<BaseRef> {
    return this.#cluster.spawn(definition, options) as Promise<BaseRef>;
  }

  stop(ref: BaseRef, timeoutMs: number): Promise<void> {
    return ref instanceof RemoteRef ? this.#cluster.stopRemote(ref, timeoutMs) : Promise.resolve();
  }

  hosts(): HostInfo[] {
    return this.#cluster.view.hosts();
  }

  async inspect(
    scope: InspectScope,
    recent: number,
    timeoutMs: number,
    actorsPerHost: number,
  ): Promise<Inspection> {
    const cluster = this.#cluster;
    if (scope === "host") {
      const own = await cluster.snapshot(recent, actorsPerHost);
      return await mergeSnapshotsInSlices(this.#runtime.clock.now(), "host", [own], [], recent);
    }
    return inspectHosts(
      {
        hosts: cluster.view.hosts(),
        own: cluster.snapshot(recent, actorsPerHost),
        ask: (hostId) => cluster.inspectHost(hostId, recent, timeoutMs, actorsPerHost),
      },
      () => this.#runtime.clock.now(),
      recent,
      timeoutMs,
    );
  }

  inspectActors(query: ActorQuery, timeoutMs: number): Promise<ActorPage> {
    const cluster = this.#cluster;
    return pageAcrossHosts({
      hostIds: cluster.view.hosts().filter((h) => h.state !== "lost" && h.state !== "left")
        .map((h) => h.hostId),
      ask: (hostId, hostQuery) =>
        hostId === this.#runtime.hostId
          ? cluster.page(hostQuery)
          : cluster.pageOf(hostId, hostQuery, timeoutMs),
      nowMs: () => this.#runtime.clock.now(),
    }, query);
  }

  inspectHere(recent: number): Inspection {
    const snapshot = this.#cluster.snapshotNow(recent, DISPLAY_ACTORS);
    return mergeSnapshots(this.#runtime.clock.now(), "host", [snapshot], [], recent);
  }

  onHostChange(listener: (host: HostInfo) => void): () => void {
    return this.#cluster.view.onChange(listener);
  }

  connectionStatus(): TransportStatus {
    return this.#cluster.connectionStatus;
  }

  transportStats(): TransportStats {
    return this.#cluster.transportStats;
  }

  async flush(): Promise<void> {
    await this.#cluster.flush();
  }
}

/**
 * The direct channel's settings, when the options turn it on (with a
 * transport, never); TLS with the member's certificates when its NATS
 * connection has its own.
 */
function directChannelOf(
  options: ClusterOptions,
  hostId: string,
): { directChannel?: DirectChannelPolicy } {
  const policy = options.transport === undefined
    ? resolveDirectChannel(options.directChannel)
    : undefined;
  if (policy === undefined) return {};
  const file = options.connect?.authFile === undefined
    ? undefined
    : readAuthFile(options.connect.authFile);
  const tls = readDirectTls(options.connect?.tls ?? file?.tls, file?.id ?? hostId);
  return { directChannel: tls === undefined ? policy : { ...policy, tls } };
}
