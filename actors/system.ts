/**
 * `ActorSystem`: the entry point of a program. It spawns actors, finds them
 * by name or serialized ref, stops them, and shuts everything down in order.
 *
 * @module
 */

import type { ActorDefinition } from "./definition.ts";
import type { ActorRef, BaseRef, SerializedRef } from "./ref.ts";
import type { SpawnArgs } from "./spawn_options.ts";
import type { ProtocolShape } from "./protocol.ts";
import type { DeadLetterOptions, DeadLetters } from "./dead_letters.ts";
import type { SchedulerOptions } from "./scheduler.ts";
import { type Clock, systemClock } from "./clock.ts";
import { firstSequence, type HostId, newHostId, validateName } from "./ids.ts";
import { Runtime, type RuntimeStatus, type TopLevelFailure } from "./runtime.ts";
import type { DeathRecord, DeathRecordOptions, DeathRecords } from "./death_records.ts";
import type { StateStore } from "../store/store.ts";
import { DEFAULT_STATE_FILE } from "../store/file_store.ts";
import { LocalRef } from "./local_ref.ts";
import { isSerializedRef } from "./ref.ts";
import { STOPPED } from "./exit_reason.ts";
import { ActorTypeMismatchError, ClusterConnectError, InvalidOptionError } from "./errors.ts";
import { Directory } from "../cluster/directory.ts";
import type { SpawnOptions, SpawnOptionsBase } from "./spawn_options.ts";
import type { Placement } from "../cluster/placement.ts";
import type { HostInfo } from "../cluster/view.ts";
import { type Inspection, type InspectOptions, mergeSnapshots } from "./inspection.ts";
import { snapshotHost } from "./_snapshot.ts";
import { Logger, type LogOptions } from "./logger.ts";
import { type DisplayBundle, inspectionBundle, JUPYTER_DISPLAY, withDisplay } from "./display.ts";
import { inspectHosts } from "../cluster/inspect_cluster.ts";
import { RemoteRef } from "../cluster/remote_ref.ts";
import {
  checkClusterOptions,
  type ClusterOptions,
  DEFAULT_SPAWN_TIMEOUT_MS,
} from "../cluster/options.ts";
import { ClusterHost, type TransportStats } from "../cluster/cluster_host.ts";
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_SUSPICION_TIMEOUT_MS,
} from "../cluster/membership.ts";
import { NatsTransport } from "../transport/nats_transport.ts";
import type { TransportStatus } from "../transport/transport.ts";
import { DEFAULT_SUBJECT_PREFIX } from "../transport/subjects.ts";

/** Default ask timeout, in milliseconds. */
export const DEFAULT_ASK_TIMEOUT_MS = 5_000;
/** Default time a stop or shutdown waits for turns and stop hooks, in milliseconds. */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
/** How long `inspect()` waits for each host, in milliseconds. */
export const DEFAULT_INSPECT_TIMEOUT_MS = 2_000;
/** How many recent dead letters and death records `inspect()` reports per host. */
export const DEFAULT_INSPECT_RECENT = 50;

/** Options of {@linkcode ActorSystem.start}. */
export interface ActorSystemOptions {
  /**
   * This host's id (letters, digits, `_`, `-`, `:`).
   * @default {a random id like "h3k9x0c2m1qz"}
   */
  readonly hostId?: string;
  /**
   * The clock for timers, ask timeouts and stop deadlines; pass a virtual
   * clock in tests.
   * @default {the real clock}
   */
  readonly clock?: Clock;
  /**
   * How long an `ask` without its own `timeoutMs` waits, in milliseconds.
   * @default {5000}
   */
  readonly askTimeoutMs?: number;
  /**
   * How long `stop` and `shutdown` wait for a running turn and `onStop`
   * before cutting them off, in milliseconds.
   * @default {5000}
   */
  readonly stopTimeoutMs?: number;
  /** Dead-letter buffer size and console logging. */
  readonly deadLetters?: DeadLetterOptions;
  /** Dispatcher tuning (fairness and time slicing). */
  readonly scheduler?: SchedulerOptions;
  /** How many death records are kept. */
  readonly deathRecords?: DeathRecordOptions;
  /**
   * What a failure that reaches the top does: `"keep-running"` stops that
   * actor (with a record and a line on `console.error`) and keeps the rest;
   * `"shutdown"` then shuts the whole system down.
   * @default {"keep-running"}
   */
  readonly topLevelFailure?: TopLevelFailure;
  /**
   * Whether a failure that nothing supervises is also written to `console.error`.
   * @default {true}
   */
  readonly logFailures?: boolean;
  /**
   * Logging: level, text or JSON lines, or a sink of your own. Quiet by
   * default (warnings and errors only); `ACTORS_LOG=debug` and
   * `ACTORS_LOG_FORMAT=json` in the environment change that without code.
   * @default {{ level: "warn", format: "text" }}
   */
  readonly log?: LogOptions;
  /**
   * Where persistent actors keep their state: an open store (memory, file or
   * JetStream KV; the system will not close it). Without it, the embedded
   * file store at `stateFile` is opened when the first persistent actor starts.
   * @default {undefined}
   */
  readonly store?: StateStore;
  /**
   * The file of the embedded store, when `store` is not given.
   * @default {".actorcluster/state.db" in the working directory}
   */
  readonly stateFile?: string;
  /**
   * Joins a cluster of hosts over NATS (or another transport). Without it,
   * the system is one host in this process.
   * @default {undefined}
   */
  readonly cluster?: ClusterOptions;
}

/** Options of {@linkcode ActorSystem.stop} and {@linkcode ActorSystem.shutdown}. */
export interface StopOptions {
  /**
   * How long to wait for running turns and stop hooks before cutting them off.
   * @default {the system's stopTimeoutMs}
   */
  readonly timeoutMs?: number;
}

/**
 * A set of actors on one host.
 *
 * @example
 * ```ts
 * import { type Ask, ActorSystem, defineActor } from "../mod.ts";
 *
 * const Greeter = defineActor<{ greet: Ask<string, string> }, number>({
 *   type: "greeter",
 *   init: () => 0,
 *   asks: { greet: (n, who) => ({ state: n + 1, reply: `hello, ${who}` }) },
 * });
 *
 * const system = await ActorSystem.start();
 * const greeter = system.spawn(Greeter, { name: "greeter" });
 * console.log(await greeter.ask("greet", "world"));
 * await system.shutdown();
 * ```
 */
export class ActorSystem {
  #runtime: Runtime;

  private constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /**
   * Starts an actor system: with no options, one in-process host on the real clock.
   *
   * @param options Host id, clock, default timeouts, dead-letter and dispatcher settings.
   * @returns The running system.
   * @throws {InvalidOptionError} When a timeout is not a positive finite number.
   * @throws {InvalidNameError} When `hostId` breaks the naming rules.
   */
  static async start(options: ActorSystemOptions = {}): Promise<ActorSystem> {
    const system = ActorSystem.#local(options);
    system.#sharedStore = options.store !== undefined;
    // Actors may register names through their context; the directory is made on first use.
    system.#runtime.directory = {
      register: (name, ref) => system.register(name, ref),
    };
    if (options.cluster !== undefined) await system.#join(options.cluster);
    return system;
  }

  static #local(options: ActorSystemOptions): ActorSystem {
    {
      const hostId = options.hostId === undefined
        ? newHostId()
        : validateName(options.hostId, "name") as HostId;
      const clock = options.clock ?? systemClock;
      const runtime = new Runtime({
        hostId,
        firstSequence: firstSequence(options.hostId !== undefined, clock.now()),
        clock,
        askTimeoutMs: positiveMs("askTimeoutMs", options.askTimeoutMs, DEFAULT_ASK_TIMEOUT_MS),
        stopTimeoutMs: positiveMs("stopTimeoutMs", options.stopTimeoutMs, DEFAULT_STOP_TIMEOUT_MS),
        deadLetters: options.deadLetters ?? {},
        scheduler: options.scheduler ?? {},
        deathRecords: options.deathRecords ?? {},
        topLevelFailure: topLevelFailure(options.topLevelFailure),
        logFailures: options.logFailures ?? true,
        logger: new Logger(hostId, options.log),
        store: options.store,
        stateFile: options.stateFile ?? DEFAULT_STATE_FILE,
      });
      return new ActorSystem(runtime);
    }
  }

  async #join(options: ClusterOptions): Promise<void> {
    checkClusterOptions(options);
    let transport = options.transport;
    if (transport === undefined) {
      const servers = options.servers!;
      try {
        transport = await NatsTransport.connect(servers, {
          name: `actor-host ${this.#runtime.hostId}`,
          ...options.connect,
        });
      } catch (err) {
        throw new ClusterConnectError(String(servers), { cause: err });
      }
    }
    this.#runtime.cluster = new ClusterHost(this.#runtime, transport, {
      cluster: options.name,
      prefix: options.prefix ?? DEFAULT_SUBJECT_PREFIX,
      labels: { ...options.labels },
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      suspicionTimeoutMs: options.suspicionTimeoutMs ?? DEFAULT_SUSPICION_TIMEOUT_MS,
      spawnTimeoutMs: options.spawnTimeoutMs ?? DEFAULT_SPAWN_TIMEOUT_MS,
      moduleAllowlist: options.moduleAllowlist,
      ownsTransport: options.transport === undefined,
      maxInboundBytes: options.maxInboundBytes ?? transport.maxPayloadBytes,
    });
    // Names held on a host that is gone are cleared by one host: the live one with the lowest id.
    this.#runtime.cluster.onHostGone((gone) => {
      const lowest = this.hosts().find((h) => h.state === "alive");
      if (lowest?.self && this.#sharedStore) {
        void this.#directory().releaseHost(gone.hostId).catch(() => {});
      }
    });
  }

  /**
   * Registers a live actor of this host under a cluster-wide name: of
   * racing registrations of one name, exactly one wins. The name is released
   * when the actor stops for good, or when its host is lost or leaves.
   * Without a cluster the name is known on this host only.
   *
   * @throws {NameTakenError} When another actor holds the name.
   * @throws {InvalidOptionError} When the actor is not a live actor of this
   *   host, or this host joined a cluster without a store the hosts share.
   */
  register(name: string, ref: BaseRef): Promise<void> {
    try {
      return this.#directory().register(name, ref);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Finds the actor registered under a cluster-wide name, from any host.
   *
   * @param name The name.
   * @param definition The actor's definition, for a typed ref.
   * @returns Its ref, or `undefined` when nobody holds the name.
   * @throws {ActorTypeMismatchError} When the actor is of another type.
   */
  async whereIs<P extends ProtocolShape<P>, S, A>(
    name: string,
    definition?: ActorDefinition<P, S, A>,
  ): Promise<ActorRef<P> | undefined> {
    const ref = await this.#directory().whereIs(name);
    if (ref !== undefined && definition !== undefined && ref.type !== definition.type) {
      throw new ActorTypeMismatchError(ref.id, definition.type, ref.type);
    }
    return ref as ActorRef<P> | undefined;
  }

  /**
   * Releases a cluster-wide name.
   *
   * @returns Whether the name was held (and is now free).
   */
  unregister(name: string): Promise<boolean> {
    try {
      return this.#directory().unregister(name);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #names: Directory | undefined;

  #directory(): Directory {
    if (this.#names !== undefined) return this.#names;
    if (this.#runtime.cluster !== undefined && !this.#sharedStore) {
      throw new InvalidOptionError(
        "store",
        "the embedded file store",
        "a store the hosts share (a JetStreamStore) for cluster-wide names",
      );
    }
    return this.#names = new Directory(this.#runtime, () => this.#runtime.store());
  }

  #sharedStore = false;

  /**
   * The hosts of the cluster as this host sees them (only this host when it
   * has not joined a cluster): id, labels, load, and whether each is alive.
   */
  hosts(): HostInfo[] {
    const cluster = this.#runtime.cluster;
    if (cluster !== undefined) return cluster.view.hosts();
    return [{
      hostId: this.hostId,
      labels: {},
      actorCount: this.#runtime.size,
      mailboxDepth: this.#runtime.measureLoad().queuedMessages,
      startedAtMs: 0,
      epoch: 0,
      inbox: "",
      state: "alive",
      lastSeenMs: this.#runtime.clock.now(),
      self: true,
    }];
  }

  /**
   * A picture of what runs where: hosts (load, uptime, connection), live
   * actors (host, parent, mailbox depth, messages handled, restarts, last
   * failure), the supervision tree across hosts, recent dead letters and
   * death records. In a cluster every host is asked at once; a host that does
   * not answer within `timeoutMs` is reported as `not-answering`, never
   * waited on longer.
   *
   * @example
   * ```ts
   * import { ActorSystem, defineActor, type Tell } from "../mod.ts";
   * const Worker = defineActor<{ work: Tell<number> }, number>({
   *   type: "worker",
   *   init: () => 0,
   *   tells: { work: (done, n) => done + n },
   *   asks: {},
   * });
   * const system = await ActorSystem.start();
   * system.spawn(Worker, { name: "w1" }).tell("work", 1);
   * const { hosts, actors } = await system.inspect();
   * console.log(hosts[0].actorCount, actors.map((a) => `${a.name} on ${a.hostId}`));
   * await system.shutdown();
   * ```
   *
   * @param options Scope, timeout per host, and how many recent records.
   * @throws {InvalidOptionError} For a bad option.
   */
  async inspect(options: InspectOptions = {}): Promise<Inspection> {
    const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, DEFAULT_INSPECT_TIMEOUT_MS);
    const recent = options.recent ?? DEFAULT_INSPECT_RECENT;
    if (!Number.isInteger(recent) || recent < 0) {
      throw new InvalidOptionError("recent", recent, "a non-negative integer");
    }
    const cluster = this.#runtime.cluster;
    const scope = options.scope ?? (cluster === undefined ? "host" : "cluster");
    if (scope !== "host" && scope !== "cluster") {
      throw new InvalidOptionError("scope", scope, `"host" or "cluster"`);
    }
    const clock = this.#runtime.clock;
    const inspection = cluster !== undefined && scope === "cluster"
      ? await inspectHosts(
        {
          hosts: cluster.view.hosts(),
          own: cluster.snapshot(recent),
          ask: (hostId) => cluster.inspectHost(hostId, recent, timeoutMs),
        },
        () => clock.now(),
        recent,
        timeoutMs,
      )
      : this.#inspectHere(recent);
    return withDisplay(inspection, () => inspectionBundle(inspection));
  }

  #inspectHere(recent: number): Inspection {
    const snapshot = this.#runtime.cluster?.snapshot(recent) ??
      snapshotHost(this.#runtime, {
        labels: {},
        connection: "local",
        supervisorOf: () => undefined,
      }, recent);
    return mergeSnapshots(this.#runtime.clock.now(), "host", [snapshot], [], recent);
  }

  /**
   * Shows this host in a notebook: its actors, supervision tree and recent
   * deaths (`await system.inspect()` shows the whole cluster).
   */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return inspectionBundle(this.#inspectHere(10));
  }

  /** The plain-text view of {@linkcode ActorSystem.[JUPYTER_DISPLAY]}, for `console.log`. */
  [Symbol.for("Deno.customInspect")](): string {
    return `ActorSystem ${this.hostId} (${this.status})\n${
      inspectionBundle(this.#inspectHere(10))["text/plain"]
    }`;
  }

  /**
   * Calls `listener` whenever a host's standing changes in this host's view
   * (alive, unreachable, lost, left); a no-op without a cluster.
   *
   * @returns A function that ends the subscription.
   */
  onHostChange(listener: (host: HostInfo) => void): () => void {
    return this.#runtime.cluster?.view.onChange(listener) ?? (() => {});
  }

  /**
   * This host's connection to the cluster: `"connected"`, `"disconnected"`
   * (reconnecting; sends meanwhile are dead letters `disconnected`), or
   * `"closed"`; `undefined` without a cluster.
   */
  connectionStatus(): TransportStatus | undefined {
    return this.#runtime.cluster?.connectionStatus;
  }

  /** Counters of this host's cluster traffic, or `undefined` without a cluster. */
  transportStats(): TransportStats | undefined {
    return this.#runtime.cluster?.stats;
  }

  /** Waits until every message sent so far has left this host (a no-op without a cluster). */
  async flush(): Promise<void> {
    await this.#runtime.cluster?.flush();
  }

  /** This host's id: the prefix of every actor id spawned here. */
  get hostId(): HostId {
    return this.#runtime.hostId;
  }

  /** The dead-letter stream: subscribe to it or read the recent ones. */
  get deadLetters(): DeadLetters {
    return this.#runtime.deadLetters;
  }

  /**
   * The death records: why each actor stopped or failed.
   *
   * @example
   * ```ts
   * import { ActorSystem, defineActor, type Tell } from "../mod.ts";
   * const Fragile = defineActor<{ poke: Tell }, null>({
   *   type: "fragile",
   *   init: () => null,
   *   tells: { poke: () => { throw new Error("bad record"); } },
   * });
   * const system = await ActorSystem.start({ logFailures: false, deadLetters: { logPerSecond: 0 } });
   * const fragile = system.spawn(Fragile);
   * fragile.tell("poke");
   * const record = await system.whenStopped(fragile);
   * console.log(record?.kind, record?.messageName, record?.error?.message); // error poke bad record
   * await system.shutdown();
   * ```
   */
  get deaths(): DeathRecords {
    return this.#runtime.deaths;
  }

  /** `"running"`, `"shutting-down"` or `"shut-down"`. */
  get status(): RuntimeStatus {
    return this.#runtime.status;
  }

  /** How many actors are live (stopping ones included). */
  get actorCount(): number {
    return this.#runtime.size;
  }

  /**
   * Spawns a top-level actor on the host the placement picks: this one, a
   * given host, hosts with given labels, round robin, the least loaded, or
   * the one a key hashes to. Resolves once the actor exists there. A system
   * that joined no cluster is the whole cluster: every placement puts the
   * actor here (as a supervisor does with its children's placements), so
   * code written for many hosts runs unchanged on one.
   *
   * @param definition What to spawn; another host finds it by its type (same
   *   entry script) or imports its `module`.
   * @param options `placement`, and name, mailbox, `args`, `persistKey` as for a local spawn.
   * @returns The new actor's ref (a remote ref when it landed elsewhere).
   * @throws {PlacementError} When no host can take it; the error says which constraint failed where.
   * @throws {HostUnreachableError} When the chosen host is gone.
   * @throws {DefinitionLoadError} When the chosen host cannot load the definition (naming the module).
   * @throws {DuplicateNameError} When a live actor on the chosen host has the name.
   */
  spawn<P extends ProtocolShape<P>, S, A>(
    definition: ActorDefinition<P, S, A>,
    options: SpawnOptions<A> & { readonly placement: Placement },
  ): Promise<ActorRef<P>>;
  /**
   * Spawns a top-level actor on this host. It starts (runs `init`) right
   * after the current synchronous code; messages sent before that wait in its
   * mailbox.
   *
   * @param definition What to spawn.
   * @param options Name, mailbox, and `args` for `init` (required when `init` takes them).
   * @returns The new actor's ref.
   * @throws {DuplicateNameError} When a live actor has the name.
   * @throws {InvalidNameError} When the name breaks the naming rules.
   * @throws {InvalidOptionError} When the mailbox options are invalid.
   * @throws {SystemStoppedError} When the system is shutting down or shut down.
   */
  spawn<P extends ProtocolShape<P>, S, A>(
    definition: ActorDefinition<P, S, A>,
    ...options: SpawnArgs<A>
  ): ActorRef<P>;
  spawn(
    // deno-lint-ignore no-explicit-any
    definition: ActorDefinition<any, any, any>,
    options?: SpawnOptionsBase & { readonly args?: unknown; readonly placement?: Placement },
  ): BaseRef | Promise<BaseRef> {
    if (options?.placement !== undefined) {
      const cluster = this.#runtime.cluster;
      if (cluster === undefined) {
        const pinned = options.placement.kind === "host" ? options.placement.hostId : undefined;
        if (pinned !== undefined && pinned !== this.hostId) {
          return Promise.reject(
            new InvalidOptionError(
              "placement.hostId",
              pinned,
              `"${this.hostId}" (this system joined no cluster, so it is the only host)`,
            ),
          );
        }
        try {
          const { placement: _p, ...rest } = options;
          return Promise.resolve(
            this.#runtime.spawn(erase(definition), rest as never, undefined).ref,
          );
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return cluster.spawn(
        erase(definition),
        options as SpawnOptions<unknown> & { placement: Placement },
      ) as Promise<BaseRef>;
    }
    return this.#runtime.spawn(erase(definition), options as never, undefined).ref;
  }

  /**
   * Finds a live actor by name.
   *
   * @param name The name it was spawned with.
   * @param definition Its definition, to get a typed ref back.
   * @returns Its ref, or `undefined` when no live actor has the name.
   * @throws {ActorTypeMismatchError} When the actor is of another type than `definition`.
   */
  lookup<P extends ProtocolShape<P>, S, A>(
    name: string,
    definition: ActorDefinition<P, S, A>,
  ): ActorRef<P> | undefined;
  /**
   * Finds a live actor by name, as an untyped ref (enough to stop or inspect it).
   *
   * @param name The name it was spawned with.
   * @returns Its ref, or `undefined` when no live actor has the name.
   */
  lookup(name: string): BaseRef | undefined;
  lookup(
    name: string,
    definition?: ActorDefinition<unknown, unknown, unknown>,
  ): BaseRef | undefined {
    const cell = this.#runtime.cellByName(name);
    if (cell === undefined) return undefined;
    if (definition !== undefined && definition.type !== cell.def.type) {
      throw new ActorTypeMismatchError(cell.id, definition.type, cell.def.type);
    }
    return cell.ref;
  }

  /**
   * Turns a serialized ref (from `ref.toJSON()`) back into a working ref. A
   * ref to an actor that does not exist here is still returned: its tells
   * become dead letters and its asks fail with `UnknownActorError`.
   *
   * @param serialized The serialized form.
   * @param definition The actor's definition, to get a typed ref back.
   * @returns A ref.
   * @throws {InvalidOptionError} When `serialized` is not a serialized ref.
   * @throws {ActorTypeMismatchError} When the ref's type differs from `definition.type`.
   */
  resolveRef<P extends ProtocolShape<P>, S, A>(
    serialized: SerializedRef,
    definition: ActorDefinition<P, S, A>,
  ): ActorRef<P> {
    if (!isSerializedRef(serialized)) {
      throw new InvalidOptionError("serialized", serialized, "a serialized ref { $ref, type }");
    }
    if (serialized.type !== definition.type) {
      throw new ActorTypeMismatchError(serialized.$ref, definition.type, serialized.type);
    }
    return this.#runtime.resolveRef(serialized) as unknown as ActorRef<P>;
  }

  /**
   * Stops an actor and its children (children first, in reverse spawn order).
   * Its running turn may finish; messages still queued become dead letters.
   *
   * An actor on another host of the cluster is stopped there, by a request
   * to its host.
   *
   * @param ref The actor to stop. Stopping an actor that is gone does nothing.
   * @param options How long to wait before cutting off its turn and `onStop`.
   * @returns Resolves once the actor has stopped.
   * @throws {InvalidOptionError} When `ref` belongs to another system, or the timeout is invalid.
   * @throws {RequestTimeoutError} When a remote actor's host does not answer.
   */
  stop(ref: BaseRef, options: StopOptions = {}): Promise<void> {
    const cell = LocalRef.cellOf(ref);
    if (cell === undefined) {
      const cluster = this.#runtime.cluster;
      if (!(ref instanceof RemoteRef) || cluster === undefined) return Promise.resolve();
      try {
        const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, this.#runtime.stopTimeoutMs);
        return cluster.stopRemote(ref, timeoutMs);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    try {
      if (cell.runtime !== this.#runtime) {
        throw new InvalidOptionError("ref", ref.id, "a ref of an actor of this system");
      }
      const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, this.#runtime.stopTimeoutMs);
      return cell.stop(STOPPED, this.#runtime.clock.now() + timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Waits until an actor has stopped for good (restarts do not count).
   *
   * @param ref The actor.
   * @returns Its final death record; `undefined` when it is not an actor of this
   *   system (or was stopped so long ago that its record was dropped).
   */
  whenStopped(ref: BaseRef): Promise<DeathRecord | undefined> {
    const cell = LocalRef.cellOf(ref);
    if (cell === undefined || cell.runtime !== this.#runtime) {
      return Promise.resolve(this.#runtime.deaths.last(ref));
    }
    if (cell.finalRecord !== undefined) return Promise.resolve(cell.finalRecord);
    return new Promise((resolve) => (cell.watchers ??= new Set()).add(resolve));
  }

  /**
   * Stops every actor: top-level actors in reverse spawn order, each after its
   * children. Waits for running turns and stop hooks up to the timeout, then
   * cuts them off. Calling it again returns the same completion.
   *
   * @param options The overall timeout.
   */
  shutdown(options: StopOptions = {}): Promise<void> {
    try {
      const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, this.#runtime.stopTimeoutMs);
      return this.#runtime.shutdown(timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Shuts down gracefully when the process gets SIGINT or SIGTERM, then exits:
   * actors stop in order, persistent state is written, the host leaves its
   * cluster (the others see `shutdown`, not a lost host) and the connection
   * drains. Meant for entry scripts; a notebook kernel uses SIGINT for
   * "interrupt", so do not call it there. The host agent does this itself.
   *
   * @example
   * ```ts ignore
   * const system = await ActorSystem.start({ cluster: { name: "training", servers } });
   * system.shutdownOnSignals();
   * ```
   *
   * @param options Which signals (default both), the exit code (default 0)
   *   and the shutdown timeout.
   * @returns A function that removes the listeners.
   */
  shutdownOnSignals(
    options: {
      readonly signals?: readonly ("SIGINT" | "SIGTERM")[];
      readonly exitCode?: number;
      readonly timeoutMs?: number;
    } = {},
  ): () => void {
    const timeoutMs = positiveMs("timeoutMs", options.timeoutMs, this.#runtime.stopTimeoutMs);
    const signals = options.signals ?? ["SIGINT", "SIGTERM"];
    let started = false;
    const onSignal = () => {
      if (started) return;
      started = true;
      void this.#runtime.shutdown(timeoutMs).finally(() => Deno.exit(options.exitCode ?? 0));
    };
    const added: Deno.Signal[] = [];
    for (const signal of signals) {
      try {
        Deno.addSignalListener(signal, onSignal);
        added.push(signal);
      } catch {
        // Not supported here (SIGTERM on Windows): the other signals still work.
      }
    }
    return () => {
      for (const signal of added) Deno.removeSignalListener(signal, onSignal);
    };
  }
}

function erase(
  // deno-lint-ignore no-explicit-any
  definition: ActorDefinition<any, any, any>,
): ActorDefinition<unknown, unknown, unknown> {
  return definition as unknown as ActorDefinition<unknown, unknown, unknown>;
}

function topLevelFailure(value: TopLevelFailure | undefined): TopLevelFailure {
  if (value === undefined) return "keep-running";
  if (value !== "keep-running" && value !== "shutdown") {
    throw new InvalidOptionError("topLevelFailure", value, `"keep-running" or "shutdown"`);
  }
  return value;
}

function positiveMs(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || value === Infinity) {
    throw new InvalidOptionError(option, value, "a positive finite number of milliseconds");
  }
  return value;
}
