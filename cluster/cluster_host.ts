/**
 * A host's part in a cluster, composed of its parts: remoting (frames in,
 * effects out) in `remoting.ts`, heartbeats and the view in `presence.ts`,
 * requests to other hosts in `host_requests.ts` and answers to theirs in
 * `control.ts`, remotely supervised children in `remote_children.ts`, death
 * watch across hosts in `remote_watches.ts`. This class joins them and is
 * the runtime's port to other hosts.
 *
 * @module
 */

import type {
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "../transport/transport.ts";
import {
  type ActorDefinition,
  type ActorStats,
  type BaseRef,
  type ChildSpawn,
  type ChildSpawnOutcome,
  type DeathRecord,
  type ExitReason,
  type HostActorPage,
  type HostActorQuery,
  type HostContext,
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
import { ClusterView, isMember, type Labels } from "./view.ts";
import { reads } from "./capabilities.ts";
import { mayTakeKey } from "./key_takeover.ts";
import type { FenceCause, GoneReason } from "./presence.ts";
import type { Liveness, LivenessFactory } from "./liveness.ts";
import { runInSlices } from "../base/slices.ts";
import { HostHungError } from "./errors.ts";
import { type Placement, Placer } from "./placement.ts";
import { RemoteRef, type RemoteSender } from "./remote_ref.ts";
import { RemoteWatches } from "./remote_watches.ts";
import { RemoteChildren } from "./remote_children.ts";
import { OwnedActors } from "./owned_actors.ts";
import { Remoting, type TransportStats } from "./remoting.ts";
import { answerControl } from "./control.ts";
import { resolveSpawnRate, SpawnRateLimiter, type SpawnRateOptions } from "./spawn_rate.ts";
import { RememberedSpawns } from "./remembered_spawns.ts";
import type { ModuleGate } from "./definitions.ts";
import { HostRequests } from "./host_requests.ts";
import { requestSnapshot } from "./inspect_cluster.ts";
import type { DirectChannelPolicy } from "./direct_policy.ts";
import type { FanoutTiming } from "./chunk_policy.ts";
import { requestActorPage } from "./actor_pages_wire.ts";

export type { TransportStats };

/** Settings of a host's cluster membership. */
export interface ClusterHostSettings {
  /** The cluster's name. */
  readonly cluster: string;
  /** The first subject token. */
  readonly prefix: string;
  /** This host's labels. */
  readonly labels: Labels;
  /** How often this host heartbeats, in milliseconds. */
  readonly heartbeatIntervalMs: number;
  /** Silence after which a host is declared lost, in milliseconds. */
  readonly suspicionTimeoutMs: number;
  /** Timeout of a remote spawn request, in milliseconds. */
  readonly spawnTimeoutMs: number;
  /** Spawn requests accepted per requesting host; default: `DEFAULT_SPAWN_BURST`, `..._PER_SECOND`. */
  readonly spawnRate?: SpawnRateOptions;
  /** Which modules a remote spawn may have this host import. */
  readonly moduleGate: ModuleGate;
  /** Whether the host owns (and closes) the transport. */
  readonly ownsTransport: boolean;
  /** Inbound batches above this size are refused, in bytes. */
  readonly maxInboundBytes: number;
  /** The largest envelope sent or accepted (chunked above a batch), in bytes. */
  readonly maxMessageBytes?: number;
  /** Whether errors sent to other hosts carry stack traces (debugging). */
  readonly wireStacks?: boolean;
  /** The direct data channel, when it is on. */
  readonly directChannel?: DirectChannelPolicy;
  /** Fan-out timings other than the defaults. */
  readonly fanoutTiming?: FanoutTiming;
  /** Where heartbeats and failure detection run: a liveness worker, or this loop. */
  readonly liveness: LivenessFactory;
}

/**
 * How long a host asked whether a persistence key's holder still runs has to
 * answer; a member that stays silent keeps the key (the spawn is refused).
 */
const HOLDER_QUERY_TIMEOUT_MS = 5_000;

/** Another host is gone: declared lost by failure detection, or left gracefully. */
export interface HostGone {
  /** The host. */
  readonly hostId: string;
  /** `"lost"` (it stopped heartbeating) or `"left"` (it shut down). */
  readonly reason: GoneReason;
}

/** One host in a cluster. */
export class ClusterHost implements RemotePort {
  readonly subjects: Subjects;
  readonly view: ClusterView;
  readonly labels: Labels;
  #runtime: Runtime;
  #local: LocalHost;
  #transport: Transport;
  #settings: ClusterHostSettings;
  /** Control requests refused, by reason (`spawn-rate-limited`). */
  readonly #controlRefused: Record<string, number> = {};
  #remoting: Remoting;
  #placer = new Placer();
  #requests: HostRequests;
  #children: RemoteChildren;
  #owned: OwnedActors;
  #watches: RemoteWatches;
  #liveness: Liveness;
  #sender: RemoteSender;
  #subscriptions: TransportSubscription[] = [];
  #goneListeners = new Set<(gone: HostGone) => void>();
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
    this.#remoting = new Remoting({
      runtime,
      local: this.#local,
      transport,
      subjects: this.subjects,
      view: this.view,
      maxInboundBytes: settings.maxInboundBytes,
      ...(settings.maxMessageBytes === undefined
        ? {}
        : { maxMessageBytes: settings.maxMessageBytes }),
      wireStacks: settings.wireStacks === true,
      ...(settings.directChannel === undefined ? {} : { directChannel: settings.directChannel }),
      ...(settings.fanoutTiming === undefined ? {} : { fanoutTiming: settings.fanoutTiming }),
      actorStopped: (actorId, record) => this.#watches.stopped(actorId, record),
      leaveSettled: (hostId) => runtime.entities.leaveSettled(hostId),
    });
    this.#sender = {
      tell: (ref, name, payload) => this.#remoting.tell(ref, name, payload),
      ask: (ref, name, payload, options) => this.#remoting.ask(ref, name, payload, options),
      stats: (ref) => this.#stats(ref),
    };
    this.#requests = new HostRequests({
      selfId: runtime.hostId,
      transport,
      subjects: this.subjects,
      view: this.view,
      clock: runtime.clock,
      spawnTimeoutMs: settings.spawnTimeoutMs,
      onHostGone: (listener) => this.onHostGone(listener),
      remoteRef: (serialized, hostId) => new RemoteRef(serialized, hostId, this.#sender),
    });
    this.#children = new RemoteChildren(
      this.#local,
      (supervisor, childId, reason) => this.#remoting.childExited(supervisor, childId, reason),
    );
    this.#owned = new OwnedActors(this.#local, (hostId) => {
      const state = this.view.get(hostId)?.state;
      return state === "left" || state === "lost" ? state : undefined;
    });
    this.#watches = new RemoteWatches({
      request: (hostId, actorId) => this.#requests.watch(hostId, actorId),
      goneWithHost: (actor, hostId, reason) => goneWithHost(actor, hostId, reason, runtime),
    });
    const control = {
      runtime,
      local: this.#local,
      transport,
      moduleGate: settings.moduleGate,
      supervisedBy: this.#children.supervisedBy,
      owned: this.#owned,
      spawns: new RememberedSpawns(),
      spawnRate: new SpawnRateLimiter(resolveSpawnRate(settings.spawnRate), runtime.clock),
      refused: this.#controlRefused,
      snapshot: (recent: number, listLimit: number) => this.snapshot(recent, listLimit),
      page: (query: HostActorQuery) => this.page(query),
      watchers: new Map<string, Set<string>>(),
      notifyStopped: (host: string, actor: string, record: DeathRecord) =>
        this.#remoting.actorStopped(host, actor, record),
      senderOf: (subject: string) => this.subjects.senderOf(subject),
      directOffer: (sender: string) => this.#remoting.directOffer(sender),
    };
    const self = runtime.hostId;
    this.#subscriptions.push(
      transport.subscribe(this.subjects.inbox(), (m) => this.#remoting.receive(m)),
      transport.subscribe(this.subjects.bounces(), (m) => this.#remoting.bounced(m)),
      transport.subscribe(
        this.subjects.controls(),
        (m: TransportMessage) => void answerControl(control, m),
      ),
    );
    this.#liveness = settings.liveness({
      hostId: self,
      clock: runtime.clock,
      log: { info: (text) => runtime.logger.info(text), warn: (text) => runtime.logger.warn(text) },
      transport,
      subjects: this.subjects,
      view: this.view,
      labels: this.labels,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      suspicionTimeoutMs: settings.suspicionTimeoutMs,
      actorCount: () => runtime.size,
      mailboxDepth: () => runInSlices(runtime.loadSteps()).then((load) => load.queuedMessages),
      preempt: runtime.scheduler.preempt,
      fence: (cause) => this.#fence(cause),
      onGone: (hostId, reason) => this.#hostGone(hostId, reason),
    });
  }

  /** Resolves once this host has announced itself; rejects when its liveness could not start. */
  get ready(): Promise<void> {
    return this.#liveness.ready;
  }

  /** Stops every actor of this host: it was declared lost, or its loop hung. */
  async #fence(cause: FenceCause): Promise<void> {
    const hostId = this.#runtime.hostId;
    const error = cause.kind === "hung"
      ? new HostHungError(hostId, cause.stalledMs, cause.hangLimitMs)
      : undefined;
    if (error !== undefined) this.#runtime.logger.warn(error.message);
    await this.#runtime.stopAll({ kind: "host-lost", hostId, ...(error ? { error } : {}) });
  }

  /** Whether this host can reach the others. */
  get connectionStatus(): TransportStatus {
    return this.#transport.status;
  }

  /** This host's current epoch. */
  get epoch(): number {
    return this.#liveness.epoch;
  }

  /**
   * Calls `listener` when another host is declared lost or leaves.
   *
   * @returns A function that ends the subscription.
   */
  onHostGone(listener: (gone: HostGone) => void): () => void {
    this.#goneListeners.add(listener);
    return () => this.#goneListeners.delete(listener);
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
    return mayTakeKey(
      {
        view: this.view,
        holderRuns: async (hostId, actorId) =>
          await this.#requests.stats(hostId, actorId, HOLDER_QUERY_TIMEOUT_MS) !== undefined,
        isMember: (hostId) => {
          const state = this.view.get(hostId)?.state;
          return state !== undefined && isMember(state);
        },
      },
      key,
      holder,
      requester,
    );
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

  /** Another host is gone: fail what waits on it, and tell the listeners (supervisors). */
  #hostGone(hostId: string, reason: HostGone["reason"]): void {
    if (reason === "lost") {
      this.#runtime.logger.warn(`host ${hostId} was declared lost; its actors move elsewhere`, {
        lostHost: hostId,
      });
    } else {
      this.#runtime.logger.info(`host ${hostId} left the cluster`, { leftHost: hostId });
    }
    this.#remoting.hostGone(
      hostId,
      reason === "lost" ? "it was declared lost" : "it left the cluster",
      reason === "left",
    );
    this.#local.hostGone(hostId, reason);
    this.#watches.hostGone(hostId, reason);
    this.#children.hostGone(hostId, reason);
    this.#owned.hostGone(hostId, reason);
    for (const listener of this.#goneListeners) {
      try {
        listener({ hostId, reason });
      } catch (err) {
        this.#runtime.logger.error("a host-gone listener threw", { error: String(err) });
      }
    }
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
    return await this.#requests.spawn(definition, hostId, spawnOptions, undefined);
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
    return this.#requests.spawn(definition, hostId, options, supervisor, restarts);
  }

  /** Spawns many children of one supervisor on one other host, in one request. */
  spawnRemoteChildren(
    hostId: string,
    children: readonly ChildSpawn[],
    supervisor: BaseRef,
  ): Promise<ChildSpawnOutcome[]> {
    return this.#requests.spawnChildren(hostId, children, supervisor);
  }

  /** Stops a remote child for good, without it reporting back. */
  stopRemoteChild(child: RemoteChild, reason: ExitReason, timeoutMs: number): Promise<void> {
    return this.#requests.stopChild(child, reason, timeoutMs);
  }

  /**
   * Stops an actor on another host (`system.stop` of a remote ref) and waits
   * until it has stopped; an actor whose host is gone is gone with it.
   *
   * @throws {RequestTimeoutError} When its host does not answer in time.
   */
  stopRemote(ref: RemoteRef, timeoutMs: number): Promise<void> {
    return this.#requests.stop(ref, timeoutMs);
  }

  /** This host's part of an inspection, gathered in slices that yield to the event loop. */
  snapshot(recent: number, listLimit = Infinity): Promise<HostSnapshot> {
    return this.#local.snapshotInSlices(this.#snapshotContext(), recent, listLimit);
  }

  /** This host's answer to a page request, gathered in slices that yield to the event loop. */
  page(query: HostActorQuery): Promise<HostActorPage> {
    return this.#local.pageInSlices(this.#snapshotContext(), query);
  }

  /**
   * Asks another host for a page of its actors.
   *
   * @throws When it does not answer in time, or answers with an error.
   */
  pageOf(hostId: string, query: HostActorQuery, timeoutMs: number): Promise<HostActorPage> {
    return requestActorPage(this.#transport, this.subjects, hostId, query, timeoutMs);
  }

  /**
   * This host's part of an inspection at once, for displays: it blocks the
   * event loop for about a microsecond per actor.
   */
  snapshotNow(recent: number, listLimit = Infinity): HostSnapshot {
    return this.#local.snapshot(this.#snapshotContext(), recent, listLimit);
  }

  #snapshotContext(): HostContext {
    return {
      labels: this.labels,
      connection: this.#transport.status,
      supervisorOf: (actorId) => this.#children.supervisorOf(actorId),
      ownerOf: (actorId) => this.#owned.ownerOf(actorId),
      refused: () =>
        sumCounts(
          sumCounts(this.#remoting.stats.rejected, this.#controlRefused),
          this.#liveness.refused,
        ),
    };
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
    return requestSnapshot(this.#transport, this.subjects, hostId, recent, timeoutMs, listLimit);
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
    return this.#watches.watch(ref, ref.hostId, listener);
  }

  /** The counters of a remote actor, read from its host; "stopped" when it is gone. */
  async #stats(ref: RemoteRef): Promise<ActorStats> {
    const stats = await this.#requests.stats(ref.hostId, ref.id, this.#runtime.askTimeoutMs);
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

  /** Whether an actor's supervisor is on another host. */
  supervisesRemotely(actorId: string): boolean {
    return this.#children.supervisesRemotely(actorId);
  }

  /** A remotely supervised actor stopped for good on its own account: tell its supervisor. */
  remoteChildStopped(actorId: string, reason: ExitReason): void {
    this.#children.stopped(actorId, reason);
    this.#owned.stopped(actorId);
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
    this.#liveness.leave();
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
    const livenessStopped = this.#liveness.stop();
    this.#remoting.flushBatches();
    this.#remoting.closing();
    await this.#transport.flush().catch(() => {});
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    if (this.#settings.ownsTransport) await this.#transport.close();
    await livenessStopped;
  }
}

/**
 * The longest a leaving host waits for its peers to answer its goodbye, in
 * milliseconds: a peer whose loop is stalled longer may still send to it,
 * and what it sends after the host closed is lost.
 */
export const LEAVE_FENCE_MS = 3_000;

/** The record of an actor that went with its host: lost, or shut down with it. */
function goneWithHost(
  actor: { readonly id: string; readonly type: string; readonly name?: string },
  hostId: string,
  reason: "lost" | "left",
  runtime: Runtime,
): DeathRecord {
  return {
    actor: actor.name === undefined
      ? { id: actor.id, type: actor.type }
      : { id: actor.id, name: actor.name, type: actor.type },
    parent: undefined,
    hostId,
    kind: reason === "lost" ? "host-lost" : "shutdown",
    error: undefined,
    messageName: undefined,
    escalatedFrom: undefined,
    restartCount: 0,
    outcome: "stopped",
    forced: false,
    stopHookError: undefined,
    timestampMs: runtime.clock.now(),
  };
}

/** Two counts by reason, added. */
function sumCounts(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [reason, count] of Object.entries(b)) sum[reason] = (sum[reason] ?? 0) + count;
  return sum;
}
