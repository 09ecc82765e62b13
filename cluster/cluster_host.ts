/**
 * A host's part in a cluster, composed of its parts: remoting (frames in,
 * effects out) in `remoting.ts`, heartbeats and the view in `presence.ts`,
 * requests to other hosts in `host_requests.ts` and answers to theirs in
 * `control.ts`, remotely supervised children in `remote_children.ts`, death
 * watch across hosts in `remote_watches.ts`, inspection in
 * `host_inspection.ts`, gone hosts in `host_gone.ts`. They are built and
 * joined in `cluster_host_parts.ts`; this class is the runtime's port to
 * other hosts.
 *
 * @module
 */

import type { Transport, TransportStatus } from "../transport/transport.ts";
import {
  type ActorDefinition,
  type BaseRef,
  type ChildSpawn,
  type ChildSpawnOutcome,
  type DeathRecord,
  type ExitReason,
  type HostActorPage,
  type HostActorQuery,
  type HostSnapshot,
  type KeyHolder,
  LocalHost,
  type ObjectFanout,
  parseActorId,
  parseEntityAddress,
  type RemoteChild,
  type RemotePort,
  type Runtime,
  type SerializedRef,
  type SpawnOptions,
} from "../actors/internal.ts";
import { isSubjectToken, Subjects } from "../transport/subjects.ts";
import { ClusterView, type Labels } from "./view.ts";
import { reads } from "./capabilities.ts";
import { mayTakeKey } from "./key_takeover.ts";
import { type Placement, Placer } from "./placement.ts";
import { RemoteRef, type RemoteSender } from "./remote_ref.ts";
import type { Remoting, TransportStats } from "./remoting.ts";
import type { HostGone } from "./host_gone.ts";
import type { ClusterHostSettings } from "./cluster_host_settings.ts";
import { type ClusterHostParts, joinCluster } from "./cluster_host_parts.ts";
import { LEAVE_FENCE_MS } from "./leave_fences.ts";

export type { ClusterHostSettings, HostGone, TransportStats };

/** One host in a cluster. */
export class ClusterHost implements RemotePort {
  readonly subjects: Subjects;
  readonly view: ClusterView;
  readonly labels: Labels;
  #runtime: Runtime;
  #local: LocalHost;
  #transport: Transport;
  #settings: ClusterHostSettings;
  /** Its parts; the two a message goes through are fields of their own, one load nearer. */
  #parts: ClusterHostParts;
  #remoting: Remoting;
  #sender: RemoteSender;
  #placer = new Placer();
  #closed = false;

  /** Joins: subscribes, announces, and asks the others to announce. */
  constructor(runtime: Runtime, transport: Transport, settings: ClusterHostSettings) {
    this.#runtime = runtime;
    this.#local = new LocalHost(runtime);
    this.#transport = transport;
    this.#settings = settings;
    this.labels = settings.labels;
    this.subjects = new Subjects(settings.cluster, settings.prefix, runtime.hostId);
    this.view = new ClusterView(runtime.hostId);
    this.#parts = joinCluster({
      runtime,
      local: this.#local,
      transport,
      subjects: this.subjects,
      view: this.view,
      settings,
    });
    this.#remoting = this.#parts.remoting;
    this.#sender = this.#parts.sender;
  }

  /** Resolves once this host has announced itself; rejects when its liveness could not start. */
  get ready(): Promise<void> {
    return this.#parts.liveness.ready;
  }

  /** Whether this host can reach the others. */
  get connectionStatus(): TransportStatus {
    return this.#transport.status;
  }

  /** This host's current epoch. */
  get epoch(): number {
    return this.#parts.liveness.epoch;
  }

  /**
   * Calls `listener` when another host is declared lost or leaves.
   *
   * @returns A function that ends the subscription.
   */
  onHostGone(listener: (gone: HostGone) => void): () => void {
    return this.#parts.goneListeners.add(listener);
  }

  /** Counters of this host's traffic. */
  get transportStats(): TransportStats {
    const bytes = this.#transport.byteCounts?.();
    return bytes === undefined
      ? this.#remoting.stats
      : { ...this.#remoting.stats, bytesSent: bytes.sentBytes, bytesReceived: bytes.receivedBytes };
  }

  /** Waits until everything published so far has reached the server. */
  async flush(): Promise<void> {
    this.#remoting.flushBatches();
    await this.#transport.flush();
  }

  /** Resolves when an activation may take a persistence key from its holder elsewhere (`key_takeover.ts`). */
  mayTakeKey(key: string, holder: KeyHolder, requester: string): Promise<void> {
    return mayTakeKey(this.#parts.takeover, key, holder, requester);
  }

  /** Objects sent to many readers at once (see `RemotePort.objectFanout`). */
  get objectFanout(): ObjectFanout | undefined {
    // Hosts of one process move buffers between them: one copy per reader is no copy at all.
    return this.#transport.movesBuffers === true ? undefined : this.#remoting.fanout;
  }

  /** Whether this host's view has the host (in whatever state). */
  knowsHost(hostId: string): boolean {
    return hostId === this.#runtime.hostId || this.view.get(hostId) !== undefined;
  }

  /** Turns a serialized ref into a working ref: local, remote, or unknown. */
  resolve(serialized: SerializedRef): RemoteRef | undefined {
    const parsed = parseActorId(serialized.$ref) ?? parseEntityAddress(serialized.$ref);
    if (parsed === undefined || parsed.host === this.#runtime.hostId) return undefined;
    // Only a host id that is a valid subject token may ever become part of a subject.
    if (!isSubjectToken(parsed.host)) return undefined;
    return new RemoteRef(serialized, parsed.host, this.#sender);
  }

  /** A ref on a host this host chose (a known subject token): nothing to parse. */
  refOn(hostId: string, serialized: SerializedRef): RemoteRef | undefined {
    return hostId === this.#runtime.hostId
      ? undefined
      : new RemoteRef(serialized, hostId, this.#sender);
  }

  /**
   * Spawns an actor where the placement says: here, or on another host by a
   * spawn request to it.
   */
  async spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> & { readonly placement: Placement },
  ): Promise<unknown> {
    const self = this.#runtime.hostId;
    const hostId = this.chooseHost(options.placement);
    const { placement: _placement, ...spawnOptions } = options;
    if (hostId === self) return this.#local.spawn(definition, spawnOptions);
    return await this.#parts.requests.spawn(definition, hostId, spawnOptions, undefined);
  }

  /**
   * Picks a host for a placement.
   *
   * @throws {PlacementError} When none qualifies.
   */
  chooseHost(placement: Placement, excluding?: string): string {
    const hosts = this.view.hosts();
    return this.#placer.choose(
      placement,
      excluding === undefined ? hosts : hosts.filter((h) => h.hostId !== excluding),
      this.#runtime.hostId,
    );
  }

  /** Spawns a supervisor's child on another host, linked to the supervisor. */
  spawnRemoteChild(
    definition: ActorDefinition<unknown, unknown, unknown>,
    hostId: string,
    options: SpawnOptions<unknown>,
    supervisor: BaseRef,
    restarts: number,
  ): Promise<RemoteRef> {
    return this.#parts.requests.spawn(definition, hostId, options, supervisor, restarts);
  }

  /** Spawns many children of one supervisor on one other host, in one request. */
  spawnRemoteChildren(
    hostId: string,
    children: readonly ChildSpawn[],
    supervisor: BaseRef,
  ): Promise<ChildSpawnOutcome[]> {
    return this.#parts.requests.spawnChildren(hostId, children, supervisor);
  }

  /** Stops a remote child for good, without it reporting back. */
  stopRemoteChild(child: RemoteChild, reason: ExitReason, timeoutMs: number): Promise<void> {
    return this.#parts.requests.stopChild(child, reason, timeoutMs);
  }

  /**
   * Stops an actor on another host (`system.stop` of a remote ref) and waits
   * until it has stopped; an actor whose host is gone is gone with it.
   *
   * @throws {RequestTimeoutError} When its host does not answer in time.
   */
  stopRemote(ref: RemoteRef, timeoutMs: number): Promise<void> {
    return this.#parts.requests.stop(ref, timeoutMs);
  }

  /** This host's part of an inspection, gathered in slices that yield to the event loop. */
  snapshot(recent: number, listLimit = Infinity): Promise<HostSnapshot> {
    return this.#parts.inspection.snapshot(recent, listLimit);
  }

  /** This host's answer to a page request, gathered in slices that yield to the event loop. */
  page(query: HostActorQuery): Promise<HostActorPage> {
    return this.#parts.inspection.page(query);
  }

  /**
   * Asks another host for a page of its actors.
   *
   * @throws When it does not answer in time, or answers with an error.
   */
  pageOf(hostId: string, query: HostActorQuery, timeoutMs: number): Promise<HostActorPage> {
    return this.#parts.inspection.pageOf(hostId, query, timeoutMs);
  }

  /**
   * This host's part of an inspection at once, for displays: it blocks the
   * event loop for about a microsecond per actor.
   */
  snapshotNow(recent: number, listLimit = Infinity): HostSnapshot {
    return this.#parts.inspection.snapshotNow(recent, listLimit);
  }

  /**
   * Asks another host for its part of an inspection.
   *
   * @throws When it does not answer in time, or answers with an error.
   */
  inspectHost(
    hostId: string,
    recent: number,
    timeoutMs: number,
    listLimit = Infinity,
  ): Promise<HostSnapshot> {
    return this.#parts.inspection.inspectHost(hostId, recent, timeoutMs, listLimit);
  }

  /**
   * Calls `listener` once when a remote actor stops for good, or its host is
   * lost or leaves.
   *
   * @returns The function that ends the watch; `undefined` for a ref that is
   *   not an actor of another host.
   */
  watch(
    ref: BaseRef,
    listener: (record: DeathRecord | undefined) => void,
  ): (() => void) | undefined {
    if (!(ref instanceof RemoteRef)) return undefined;
    return this.#parts.watches.watch(ref, ref.hostId, listener);
  }

  /** Whether an actor's supervisor is on another host. */
  supervisesRemotely(actorId: string): boolean {
    return this.#parts.children.supervisesRemotely(actorId);
  }

  /** A remotely supervised actor stopped for good on its own account: tell its supervisor. */
  remoteChildStopped(actorId: string, reason: ExitReason): void {
    this.#parts.children.stopped(actorId, reason);
    this.#parts.owned.stopped(actorId);
  }

  /**
   * Says goodbye (before actors stop), so others stop sending; from then on
   * it waits for each peer's answer (`leave_fences.ts`).
   */
  leave(): void {
    this.#remoting.fences.begin(
      this.view.alive()
        .filter((h) => !h.self && reads(h.capabilities, "leave-fence"))
        .map((h) => h.hostId),
    );
    this.#parts.liveness.leave();
  }

  /**
   * Resolves once every peer up at this host's goodbye answered it (it sends
   * this host nothing more), or is gone, or at `deadlineMs`, or at once when
   * this host is cut off; at most {@linkcode LEAVE_FENCE_MS} from now.
   */
  peersSettled(deadlineMs: number): Promise<void> {
    if (this.#transport.status !== "connected") return Promise.resolve();
    const clock = this.#runtime.clock;
    return this.#remoting.fences.until(Math.min(deadlineMs, clock.now() + LEAVE_FENCE_MS));
  }

  /** Flushes, unsubscribes and closes the transport (if owned). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const livenessStopped = this.#parts.liveness.stop();
    this.#remoting.flushBatches();
    this.#remoting.closing();
    await this.#transport.flush().catch(() => {});
    for (const subscription of this.#parts.subscriptions) subscription.unsubscribe();
    if (this.#settings.ownsTransport) await this.#transport.close();
    await livenessStopped;
  }
}
