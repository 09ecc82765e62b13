/**
 * `ActorSystem`: the entry point of a program. It spawns actors, finds them
 * by name or serialized ref, stops them, and shuts everything down in order.
 *
 * The class is the door and its docs; the work is done in `system/`, one
 * role a file (`assembly.ts` puts a system together, `spawning.ts`,
 * `stopping.ts`, `inspection.ts`, `refs.ts`), so that each reads on its own.
 *
 * @module
 */

import type { ActorDefinition } from "./actors/definition.ts";
import type { ActorRef, BaseRef, LocalActorRef, SerializedRef } from "./actors/ref.ts";
import type { SpawnArgs, SpawnOptions, SpawnOptionsBase } from "./actors/spawn_options.ts";
import type { ProtocolShape } from "./actors/protocol.ts";
import type { DeadLetters } from "./actors/observe/dead_letters.ts";
import type { DeathRecord, DeathRecords } from "./actors/observe/death_records.ts";
import type { Placement } from "./actors/placement.ts";
import type { Isolation } from "./system/isolation.ts";
import type { HostInfo } from "./cluster/view.ts";
import type { TransportStats } from "./cluster/cluster_host.ts";
import type { TransportStatus } from "./transport/transport.ts";
import type { Hosts } from "./system/hosts.ts";
import type { Inspection, InspectOptions } from "./actors/observe/inspection.ts";
import type { ActorPage, InspectActorsOptions } from "./actors/observe/actor_pages.ts";
import type { HostId } from "./actors/ids.ts";
import type { ObjectRef, PutOptions, SerializedObjectRef } from "./actors/objects/object_ref.ts";
import type { Runtime, RuntimeStatus } from "./actors/runtime.ts";
import type { HostMetrics, HostMetricsSnapshot } from "./system/metrics.ts";
import type { Names } from "./system/names.ts";
import { whenStarted } from "./actors/when_started.ts";
import { type DisplayBundle, inspectionBundle, JUPYTER_DISPLAY } from "./actors/observe/display.ts";
import { type ActorSystemOptions, positiveMs, type StopOptions } from "./system/options.ts";
import { assemble, type SystemParts, type SystemWorkers } from "./system/assembly.ts";
import { kernelStart } from "./system/kernel_systems.ts";
import { shutdownWhenDone } from "./system/exit_when_done.ts";
import { inspect, inspectActors } from "./system/inspection.ts";
import { erase, type SpawnSeams, spawnTopLevel } from "./system/spawning.ts";
import { lookup, resolveObjectRef, resolveRef } from "./system/refs.ts";
import { shutdownAll, stopActor, whenStopped } from "./system/stopping.ts";
import { entityRef } from "./system/entities.ts";
import { onSignals } from "./system/signals.ts";

/**
 * A set of actors on one host.
 *
 * @example
 * ```ts
 * import { type Ask, ActorSystem, defineActor } from "./mod.ts";
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
  readonly #runtime: Runtime;
  readonly #hosts: Hosts;
  readonly #names: Names;
  readonly #workers: SystemWorkers | undefined;
  readonly #metrics: HostMetrics;
  readonly #spawnSeams: SpawnSeams;
  #unwatchDone: () => void = () => {};

  private constructor(parts: SystemParts) {
    this.#runtime = parts.runtime;
    this.#hosts = parts.hosts;
    this.#names = parts.names;
    this.#workers = parts.workers;
    this.#metrics = parts.metrics;
    this.#spawnSeams = {
      runtime: parts.runtime,
      workers: parts.workers?.hosts,
      hosts: parts.hosts,
      whenStopped: (ref) => this.whenStopped(ref),
    };
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
    // A notebook cell run again gets the system it started the first time.
    const kernel = kernelStart(options);
    if (kernel.same !== undefined) return kernel.same as ActorSystem;
    const system = new ActorSystem(await assemble(options));
    if (options.shutdownWhenDone !== false) {
      system.#unwatchDone = shutdownWhenDone(() => system.shutdown());
    }
    kernel.keep(system, (message) => system.#runtime.logger.warn(message));
    return system;
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
    return this.#names.register(name, ref);
  }

  /**
   * Finds the actor registered under a cluster-wide name, from any host.
   *
   * @param name The name.
   * @param definition The actor's definition, for a typed ref.
   * @returns Its ref, or `undefined` when nobody holds the name.
   * @throws {ActorTypeMismatchError} When the actor is of another type.
   */
  whereIs<P extends ProtocolShape<P>, S, A>(
    name: string,
    definition?: ActorDefinition<P, S, A>,
  ): Promise<ActorRef<P> | undefined> {
    return this.#names.whereIs(name, definition?.type) as Promise<ActorRef<P> | undefined>;
  }

  /**
   * Releases a cluster-wide name.
   *
   * @returns Whether the name was held (and is now free).
   */
  unregister(name: string): Promise<boolean> {
    return this.#names.unregister(name);
  }

  /**
   * The hosts of the cluster as this host sees them (only this host when it
   * has not joined a cluster): id, labels, load, and whether each is alive.
   */
  hosts(): HostInfo[] {
    return this.#hosts.hosts();
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
   * import { ActorSystem, defineActor, type Tell } from "./mod.ts";
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
    return await inspect(this.#hosts, options);
  }

  /**
   * Lists actors one page at a time, for a host or a cluster of any size:
   * a first page (no `cursor`) also counts every matching actor by host and
   * type (`summaries`: statuses, mailbox depths, restarts); each page holds
   * at most `limit` actors, and its `next` is the cursor of the page after.
   * Hosts are visited by id, each host's actors in spawn order; every host
   * answers in slices that yield to its event loop. An actor alive through
   * the whole walk is listed exactly once.
   *
   * @example
   * ```ts
   * import { ActorSystem, defineActor } from "./mod.ts";
   * const Idle = defineActor<Record<never, never>, null>({
   *   type: "idle",
   *   init: () => null,
   *   tells: {},
   *   asks: {},
   * });
   * const system = await ActorSystem.start();
   * for (let i = 0; i < 250; i++) system.spawn(Idle);
   * let page = await system.inspectActors({ type: "idle", limit: 100 });
   * console.log(page.summaries?.[0].count); // 250
   * let seen = page.actors.length;
   * while (page.next !== undefined) {
   *   page = await system.inspectActors({ type: "idle", limit: 100, cursor: page.next });
   *   seen += page.actors.length;
   * }
   * console.log(seen); // 250
   * await system.shutdown();
   * ```
   *
   * @param options The filters (`hostId`, `type`, `name`, `status`,
   *   `supervisor`), `limit`, `cursor`, and the timeout per host.
   * @returns The page (hosts that did not answer are in `unanswered`).
   * @throws {InvalidOptionError} For a bad filter, a limit outside 1 to
   *   1,000, or a cursor that is not a page's `next`.
   */
  async inspectActors(options: InspectActorsOptions = {}): Promise<ActorPage> {
    return await inspectActors(this.#hosts, options);
  }

  /**
   * Shows this host in a notebook: its actors, supervision tree and recent
   * deaths (`await system.inspect()` shows the whole cluster).
   */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return inspectionBundle(this.#hosts.inspectHere(10));
  }

  /** The plain-text view of {@linkcode ActorSystem.[JUPYTER_DISPLAY]}, for `console.log`. */
  [Symbol.for("Deno.customInspect")](): string {
    return `ActorSystem ${this.hostId} (${this.status})\n${
      inspectionBundle(this.#hosts.inspectHere(10))["text/plain"]
    }`;
  }

  /**
   * Calls `listener` whenever a host's standing changes in this host's view
   * (alive, unreachable, lost, left); a no-op without a cluster.
   *
   * @returns A function that ends the subscription.
   */
  onHostChange(listener: (host: HostInfo) => void): () => void {
    return this.#hosts.onHostChange(listener);
  }

  /**
   * This host's connection to the cluster: `"connected"`, `"disconnected"`
   * (reconnecting; sends meanwhile are dead letters `disconnected`), or
   * `"closed"`; `undefined` without a cluster.
   */
  connectionStatus(): TransportStatus | undefined {
    return this.#hosts.connectionStatus();
  }

  /** Counters of this host's cluster traffic, or `undefined` without a cluster. */
  transportStats(): TransportStats | undefined {
    return this.#hosts.transportStats();
  }

  /**
   * This host's metrics now: per actor type (live actors, messages handled,
   * mailbox depth, restarts; handler times with the `metrics` option) and
   * for the host (messages per second, event-loop lag since the last call,
   * dead letters by reason, batches and bytes sent and received). With
   * `metrics: true` they are also OpenTelemetry instruments, and the host
   * agent serves them to Prometheus (`--metrics-port`).
   */
  metrics(): HostMetricsSnapshot {
    return this.#metrics.snapshot();
  }

  /**
   * The metrics of this process's worker hosts (option `workers`), each
   * asked of its worker; a worker host that does not answer within
   * `timeoutMs` (busy, being replaced) is left out. Empty without workers.
   *
   * @param timeoutMs How long to wait for each worker host.
   * @returns One snapshot per worker host that answered.
   */
  async workerMetrics(timeoutMs = 2_000): Promise<HostMetricsSnapshot[]> {
    return await this.#workers?.hosts.metrics(timeoutMs) ?? [];
  }

  /** Waits until every message sent so far has left this host (a no-op without a cluster). */
  async flush(): Promise<void> {
    await this.#hosts.flush();
  }

  /**
   * Puts a value on this host and returns a small ref to it that can travel
   * inside any message to any host; `await obj.get()` returns the value
   * there (fetched from this host once per reading host, then kept there),
   * and here the value itself, not a copy. The object lives until
   * `obj.release()`, until this system shuts down, or for `leaseMs`; a get
   * after that fails at once with `ObjectLostError` saying which. See
   * docs/moving-data.md.
   *
   * @param value The value; plain objects and arrays in it are frozen, and
   *   typed arrays must not be written to afterwards (readers of this
   *   process would see the change, other hosts may or may not).
   * @param options `leaseMs`: the longest it lives.
   * @returns Its ref.
   * @throws {InvalidOptionError} (rejects) When `leaseMs` is not a positive number.
   *
   * @example
   * ```ts
   * import { ActorSystem } from "./mod.ts";
   * const system = await ActorSystem.start();
   * const batch = await system.put({ rows: [1, 2, 3] });
   * console.log((await batch.get()).rows.length); // 3
   * await batch.release();
   * await system.shutdown();
   * ```
   */
  put<T>(value: T, options: PutOptions = {}): Promise<ObjectRef<T>> {
    try {
      return this.#runtime.objects.put(value, options, undefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Turns a serialized object ref (from `obj.toJSON()`, e.g. kept as JSON)
   * back into a working object ref on this host. A ref inside a message
   * needs no call: it arrives working.
   *
   * @param serialized The serialized form.
   * @returns The object ref; its `get` fails with `ObjectLostError` when nothing holds it.
   * @throws {InvalidOptionError} When `serialized` is not a serialized object ref.
   */
  resolveObjectRef<T>(serialized: SerializedObjectRef): ObjectRef<T> {
    return resolveObjectRef(this.#runtime, serialized) as ObjectRef<T>;
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
   * import { ActorSystem, defineActor, type Tell } from "./mod.ts";
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
   * the one a key hashes to. Resolves once the actor has started there (its
   * `init` and `onStart` are done; a supervisor's whole tree is up). A system
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
   * @throws {ActorStartError} When its `init` or `onStart` threw there (`cause`).
   */
  spawn<P extends ProtocolShape<P>, S, A>(
    definition: ActorDefinition<P, S, A>,
    options: SpawnOptions<A> & { readonly placement: Placement },
  ): Promise<ActorRef<P>>;
  /**
   * Spawns a top-level actor on a worker host of its own (a system started
   * with `workers`): a stop that overruns its deadline, or a loop stalled past
   * the hang limit, terminates that worker, so the actor can always be
   * killed for real. The worker ends when the actor stops for good. See
   * docs/cluster.md, "Worker hosts".
   *
   * @param definition What to spawn; it needs its `module`.
   * @param options `isolation: "worker"`, and name, mailbox, `args`, `persistKey`.
   * @returns The new actor's ref, once it has started on its worker.
   * @throws {InvalidOptionError} On a system without workers, or with a `placement` too.
   * @throws {DefinitionLoadError} When the worker cannot load the definition.
   * @throws {ActorStartError} When its `init` or `onStart` threw there (`cause`).
   */
  spawn<P extends ProtocolShape<P>, S, A>(
    definition: ActorDefinition<P, S, A>,
    options: SpawnOptions<A> & { readonly isolation: Isolation },
  ): Promise<ActorRef<P>>;
  /**
   * Spawns a top-level actor on this host. It starts (runs `init`) right
   * after the current synchronous code; messages sent before that wait in its
   * mailbox. `await system.whenStarted(ref)` waits for its start (for a
   * supervisor, its whole tree's), and reports an `init` that failed.
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
  ): LocalActorRef<P>;
  spawn(
    // deno-lint-ignore no-explicit-any
    definition: ActorDefinition<any, any, any>,
    options?: SpawnOptionsBase & {
      readonly args?: unknown;
      readonly placement?: Placement;
      readonly isolation?: Isolation;
    },
  ): BaseRef | Promise<BaseRef> {
    return spawnTopLevel(this.#spawnSeams, erase(definition), options);
  }

  /**
   * A ref to the entity (virtual actor) of an entity type with a key. The
   * entity exists virtually forever: the ref works at once, before its first
   * activation, while it activates, after it passivated or moved, from any
   * host and after travelling in a message. Its first message activates it
   * on the host its key hashes to among the live hosts with the type's
   * labels (persistent state loads first, `init` gets the key); at most one
   * activation lives across the cluster; an idle one passivates. Messages
   * that arrive while it activates, passivates or moves wait (bounded) and
   * are delivered in order. See docs/cluster.md, "Entities".
   *
   * @example
   * ```ts
   * import { type Ask, ActorSystem, defineActor, type Tell } from "./mod.ts";
   *
   * const Trial = defineActor<{ report: Tell<number>; best: Ask<void, number> }, number, string>({
   *   type: "trial",
   *   entity: { idleMs: 60_000 },
   *   init: () => -Infinity,
   *   tells: { report: (best, score) => Math.max(best, score) },
   *   asks: { best: (best) => ({ state: best, reply: best }) },
   * });
   *
   * const system = await ActorSystem.start();
   * system.entity(Trial, "lr-0_01").tell("report", 0.7);
   * console.log(await system.entity(Trial, "lr-0_01").ask("best")); // 0.7
   * await system.shutdown();
   * ```
   *
   * @param definition An entity type: a definition with an `entity` option,
   *   known to every host that may activate it (same entry script, or imported).
   * @param key The entity's key: letters, digits, `_`, `-` and `:`.
   * @returns A typed ref.
   * @throws {InvalidOptionError} When the definition has no `entity` option.
   * @throws {InvalidNameError} (`field: "key"`) When the key breaks the naming rules.
   */
  entity<P extends ProtocolShape<P>, S, A extends string | void | undefined>(
    definition: ActorDefinition<P, S, A>,
    key: string,
  ): ActorRef<P> {
    return entityRef(this.#runtime, erase(definition), key) as unknown as ActorRef<P>;
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
  ): LocalActorRef<P> | undefined;
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
    return lookup(this.#runtime, name, definition);
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
    return resolveRef(this.#runtime, serialized, erase(definition)) as unknown as ActorRef<P>;
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
    return stopActor(this.#runtime, this.#hosts, ref, options);
  }

  /**
   * Waits until an actor has stopped for good (restarts do not count), here
   * or on another host of the cluster; an actor whose host is lost or leaves
   * has stopped with it.
   *
   * @param ref The actor.
   * @returns Its final death record (from its host, for a remote actor);
   *   `undefined` when no host knows why (an actor nothing here can reach, or
   *   one stopped so long ago that its record was dropped).
   */
  whenStopped(ref: BaseRef): Promise<DeathRecord | undefined> {
    return whenStopped(this.#runtime, ref);
  }

  /**
   * Waits until an actor has started: its `init` and `onStart` have
   * completed. A supervisor has started once all its children have (each
   * starts after the one before it, as with OTP's `start_link`), so names
   * in its tree can be looked up then. A ref from a spawn with a `placement`
   * or `isolation`, or of an actor of another host, has started already.
   *
   * @param ref The actor.
   * @returns Resolves once it has started (at once when it has).
   * @throws {ActorStartError} (as a rejection) When its `init` or `onStart`
   *   threw (`cause` is what it threw; for a supervisor, a `ChildStartError`
   *   naming the child that did not start), or it was stopped first.
   *
   * @example
   * ```ts
   * import { ActorSystem, childSpec, defineActor, defineSupervisor } from "./mod.ts";
   * const Worker = defineActor({ type: "w", init: () => null });
   * const Pool = defineSupervisor({
   *   type: "pool",
   *   children: [childSpec(Worker, { id: "w1", name: "w1" })],
   * });
   * const system = await ActorSystem.start();
   * const pool = system.spawn(Pool);
   * await system.whenStarted(pool);
   * console.log(system.lookup("w1") !== undefined); // true
   * await system.shutdown();
   * ```
   */
  whenStarted(ref: BaseRef): Promise<void> {
    return whenStarted(this.#runtime, ref);
  }

  /**
   * Stops every actor: top-level actors in reverse spawn order, each after its
   * children. Waits for running turns and stop hooks up to the timeout, then
   * cuts them off. Calling it again returns the same completion.
   *
   * @param options The overall timeout.
   */
  shutdown(options: StopOptions = {}): Promise<void> {
    this.#unwatchDone();
    this.#metrics.close();
    return shutdownAll(this.#runtime, this.#workers, options);
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
    return onSignals(
      options.signals ?? ["SIGINT", "SIGTERM"],
      () => this.#runtime.shutdown(timeoutMs).finally(() => Deno.exit(options.exitCode ?? 0)),
    );
  }
}
