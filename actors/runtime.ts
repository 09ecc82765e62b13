/**
 * The runtime behind an `ActorSystem`: the registry of live cells, spawn,
 * lookup and removal, and the door to the host's services. A tell, a
 * lookup by id and an ask reach its fields and methods directly; its rarer
 * roles live beside it: spawn option checks (`_spawn_checks.ts`), where a
 * failure goes (`_exit_routing.ts`), the state store (`_lazy_store.ts`),
 * objects (`_host_objects.ts`), load (`_host_load.ts`), walks over the
 * actors (`_cell_walks.ts`) and shutdown (`_shutdown.ts`). Not part of the
 * public API.
 *
 * @module
 */

import { tracerRegistered, TurnTracer } from "./observe/tracing.ts";
import { TurnTimes } from "./observe/turn_times.ts";
import { cryptoRandom, type RandomSource } from "../base/random.ts";
import type { CellRuntime } from "./_cell_runtime.ts";
import type { Clock } from "../base/clock.ts";
import type { ActorDefinition } from "./definition.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { SpawnOptions } from "./spawn_options.ts";
import { AskTracker } from "./ask.ts";
import { Cell } from "./cell.ts";
import { DeadLetters } from "./observe/dead_letters.ts";
import { afterHost, type HostId, sequenceAt, validateName } from "./ids.ts";
import { DEFAULT_MAILBOX, type MailboxOptions, resolveMailbox } from "./mailbox.ts";
import { MailboxPool } from "./mailbox_pool.ts";
import { Scheduler } from "./scheduler.ts";
import { compile } from "./_compiled.ts";
import { STOPPED } from "./exit_reason.ts";
import { LoadMeter } from "./load_meter.ts";
import type { Logger } from "./observe/logger.ts";
import { runAtOnce, type Steps } from "../base/slices.ts";
import { SystemStoppedError } from "./errors.ts";
import type { StateStore } from "../store/store.ts";
import type { BaseRef, SerializedRef } from "./ref.ts";
import { type RemotePort, SoloPort } from "./remote_port.ts";
import { UnknownRef } from "./unknown_ref.ts";
import type { ObjectTable } from "./objects/object_table.ts";
import { isSerializedObjectRef } from "./objects/object_ref.ts";
import { EntityRegistry } from "./entities/registry.ts";
import { EntityRef } from "./entities/entity_ref.ts";
import { parseEntityId } from "./entities/address.ts";
import { definitionOf } from "./_registry.ts";
import { warmPersister } from "./persistence/loader.ts";
import { type DeathRecord, DeathRecords } from "./observe/death_records.ts";
import type { RuntimeSettings } from "./runtime_settings.ts";
import { checkExisting, checkPersistKey, reusesHolder } from "./_spawn_checks.ts";
import { ExitRouting } from "./_exit_routing.ts";
import { LazyStore } from "./_lazy_store.ts";
import { hostObjects } from "./_host_objects.ts";
import { type HostLoad, hostLoadSteps } from "./_host_load.ts";
import { shutDownHost, stopTopLevelAtOnce } from "./_shutdown.ts";
import { cellsAfter, supervisorCells } from "./_cell_walks.ts";

/** Whether the runtime accepts new actors. */
export type RuntimeStatus = "running" | "shutting-down" | "shut-down";

/** The registry and services of one host. */
export class Runtime implements CellRuntime {
  readonly hostId: HostId;
  /** Randomness for ids nobody may guess (ask correlation ids). */
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly deadLetters: DeadLetters;
  readonly asks: AskTracker;
  readonly askTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly mailbox: MailboxOptions;
  readonly mailboxes: MailboxPool;
  readonly validateLocal: boolean;
  readonly tracer: TurnTracer | undefined;
  /** Handler turn times by actor type, when metrics are on. */
  readonly turnTimes: TurnTimes | undefined;
  readonly deaths: DeathRecords;
  readonly logger: Logger;
  readonly #exits: ExitRouting;
  readonly #store: LazyStore;
  #objects: ObjectTable | undefined = undefined;
  #status: RuntimeStatus = "running";
  /** Other hosts: a solo port until the system joins a cluster. */
  remote: RemotePort;
  /** This host's entities (virtual actors): activations, held messages, passivation. */
  readonly entities: EntityRegistry = new EntityRegistry(this);
  /** The name directory (set by the system). */
  directory: { register(name: string, ref: BaseRef): Promise<void> } | undefined = undefined;

  /**
   * This host's load, in one pass over its actors: messages waiting in all
   * mailboxes, and messages handled per second lately (see `LoadMeter`).
   * The pass takes about 40 ns per actor (tens of milliseconds for a
   * million): long work uses {@linkcode Runtime.loadSteps} in slices.
   */
  measureLoad(): HostLoad {
    return runAtOnce(this.loadSteps());
  }

  /** {@linkcode Runtime.measureLoad} as a long step, for `runInSlices`. */
  *loadSteps(): Steps<HostLoad> {
    return yield* hostLoadSteps(
      this.#cells.values(),
      this.#handledByRemoved,
      this.#load,
      this.clock,
    );
  }

  /** The live actors of this host, in spawn order. */
  cells(): IterableIterator<Cell> {
    return this.#cells.values();
  }

  /**
   * The live actors spawned after sequence number `afterSequence`, in spawn
   * order, including those spawned while the walk goes on (see `_cell_walks.ts`).
   */
  *cellsAfter(afterSequence: number): IterableIterator<Cell> {
    yield* cellsAfter(this.#cells, afterSequence, this.#firstSequence, () => this.#nextSequence);
  }

  /** When this runtime started, in clock milliseconds. */
  readonly startedAtMs: number;
  #load: LoadMeter;
  #handledByRemoved = 0;

  /** The live supervisors of this host (actors with a child-exit handler). */
  supervisors(): Cell[] {
    return supervisorCells(this.#cells.values());
  }
  #cells = new Map<number, Cell>();
  #names = new Map<string, Cell>();
  /** Live persistent actors by persistence key (a spawn from the wire may not claim one). */
  #keys = new Map<string, Cell>();
  #nextSequence: number;
  readonly #firstSequence: number;

  /** @param settings Checked settings. */
  constructor(settings: RuntimeSettings) {
    this.#nextSequence = settings.firstSequence;
    this.#firstSequence = settings.firstSequence;
    this.hostId = settings.hostId;
    this.clock = settings.clock;
    this.random = settings.random ?? cryptoRandom;
    this.askTimeoutMs = settings.askTimeoutMs;
    this.stopTimeoutMs = settings.stopTimeoutMs;
    this.mailbox = settings.mailbox ?? DEFAULT_MAILBOX;
    this.mailboxes = settings.mailboxes ?? new MailboxPool();
    this.validateLocal = settings.validateMessages === "always";
    const spans = settings.tracing ?? tracerRegistered();
    this.turnTimes = settings.metrics === true ? new TurnTimes() : undefined;
    this.tracer = spans || this.turnTimes !== undefined
      ? new TurnTracer(settings.hostId, spans, this.turnTimes)
      : undefined;
    this.scheduler = new Scheduler(settings.scheduler);
    this.logger = settings.logger;
    this.deadLetters = new DeadLetters(settings.clock, settings.deadLetters, settings.logger);
    this.deaths = new DeathRecords(settings.deathRecords);
    this.#exits = new ExitRouting(this, settings.logFailures, settings.topLevelFailure);
    this.#store = new LazyStore(settings.store, settings.stateFile);
    // A host given a store will hold persistent actors: their code loads now, not on a failover.
    if (settings.store !== undefined) warmPersister();
    this.startedAtMs = settings.clock.now();
    this.#load = new LoadMeter(this.startedAtMs);
    this.remote = new SoloPort(settings.hostId);
    if (settings.maxResidentEntities !== undefined) {
      this.entities.maxResident = settings.maxResidentEntities;
    }
    this.asks = new AskTracker(settings.clock, (ask, reply) => {
      this.deadLetters.publish({
        reason: "reply-after-timeout",
        target: { id: ask.target.id, type: ask.target.type },
        messageName: ask.messageName,
        kind: "reply",
        payload: reply,
      });
    });
  }

  /** This host's objects (`put` / `get`), made on first use. */
  get objects(): ObjectTable {
    return this.#objects ??= hostObjects(this);
  }

  /** Another host is gone: the objects read from it go with it. */
  objectHostGone(hostId: string): void {
    this.#objects?.hostGone(hostId);
  }

  /** Whether the runtime accepts new actors. */
  get status(): RuntimeStatus {
    return this.#status;
  }

  /** How many actors are live (including stopping ones). */
  get size(): number {
    return this.#cells.size;
  }

  spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> | undefined,
    parent: Cell | undefined,
    shutdownTimeoutMs?: number,
    requester?: string,
  ): Cell {
    if (this.#status !== "running") throw new SystemStoppedError(this.hostId);
    if (parent !== undefined && parent.stopping !== undefined) {
      throw new SystemStoppedError(this.hostId);
    }
    const compiled = compile(definition);
    const name = options?.name;
    const existing = checkExisting(options?.existing);
    let replaced: Promise<void> | undefined;
    if (name !== undefined) {
      validateName(name, "name");
      const holder = this.#names.get(name);
      if (holder !== undefined) {
        if (reusesHolder(holder, name, existing, compiled.type)) return holder;
        // The name moves to the new actor now; it starts once the old one stopped.
        replaced = holder.stop(
          STOPPED,
          this.clock.now() + (holder.shutdownTimeoutMs ?? this.stopTimeoutMs),
        );
        this.#names.delete(name);
      }
    }
    const mailbox = options?.mailbox === undefined
      ? compiled.mailbox ?? this.mailbox
      : resolveMailbox(options.mailbox);
    const persistKey = compiled.persistence === undefined
      ? undefined
      : checkPersistKey(options?.persistKey ?? name, compiled.type);
    const cell = new Cell(
      this,
      compiled,
      this.#nextSequence++,
      name,
      parent,
      options?.args,
      mailbox,
      shutdownTimeoutMs,
      persistKey,
    );
    cell.startAfter = replaced;
    cell.requester = requester;
    this.#cells.set(cell.sequence, cell);
    if (name !== undefined) this.#names.set(name, cell);
    if (persistKey !== undefined) this.#keys.set(persistKey, cell);
    if (parent !== undefined) (parent.children ??= new Set()).add(cell);
    if (this.logger.enabled("debug")) {
      this.logger.debug(`spawned ${compiled.type} ${name ?? cell.id}`, {
        actor: cell.id,
        parent: parent?.id,
      });
    }
    cell.schedule();
    return cell;
  }

  /** The live cell with this id, if it is on this host. */
  cellById(id: string): Cell | undefined {
    const start = afterHost(id, this.hostId);
    const sequence = start < 0 ? -1 : sequenceAt(id, start);
    return sequence < 0 ? undefined : this.#cells.get(sequence);
  }

  /**
   * Turns a serialized ref into a working ref: the local actor's ref, a
   * remote ref when the id names another host of the cluster, or a ref whose
   * sends are dead letters when nothing matches.
   */
  resolveRef(serialized: SerializedRef): BaseRef {
    // An object ref read from the wire comes here too: the one resolver of
    // a decoded message makes working refs of both kinds.
    if (isSerializedObjectRef(serialized)) {
      return this.objects.handle(serialized) as unknown as BaseRef;
    }
    const cell = this.cellById(serialized.$ref);
    if (cell !== undefined) return cell.ref;
    const entity = parseEntityId(serialized.$ref);
    if (entity !== undefined) {
      const labels = definitionOf(entity.type)?.spec.entity?.labels;
      return new EntityRef(this, entity.type, entity.key, labels);
    }
    return this.remote.resolve(serialized) ?? new UnknownRef(serialized, this.deadLetters);
  }

  /** The live cell with this name. */
  cellByName(name: string): Cell | undefined {
    return this.#names.get(name);
  }

  /** The live persistent cell with this persistence key. */
  cellByPersistKey(key: string): Cell | undefined {
    return this.#keys.get(key);
  }

  removed(cell: Cell): void {
    this.#objects?.ownerStopped(cell.id);
    if (this.#cells.get(cell.sequence) === cell) {
      this.#cells.delete(cell.sequence);
      this.#handledByRemoved += cell.handled;
      if (this.logger.enabled("debug")) {
        this.logger.debug(`${cell.def.type} ${cell.name ?? cell.id} stopped`, { actor: cell.id });
      }
    }
    if (cell.name !== undefined && this.#names.get(cell.name) === cell) {
      this.#names.delete(cell.name);
    }
    if (cell.persistKey !== undefined && this.#keys.get(cell.persistKey) === cell) {
      this.#keys.delete(cell.persistKey);
    }
    cell.parent?.children?.delete(cell);
  }

  logsFailure(cell: Cell): boolean {
    return this.#exits.logsFailure(cell);
  }

  failed(cell: Cell, reason: ExitReason, received = false): void {
    this.#exits.failed(cell, reason, received);
  }

  childStopped(cell: Cell, reason: ExitReason): void {
    this.#exits.childStopped(cell, reason);
  }

  recordDeath(record: DeathRecord): void {
    this.deaths.add(record);
  }

  store(): Promise<StateStore> {
    return this.#store.open();
  }

  /**
   * Stops every actor with `reason`, every top-level actor at once, each
   * after its children, and keeps the system running (a host that was
   * declared lost fences itself this way: its actors may already run
   * elsewhere, so none waits for another's stop).
   */
  async stopAll(reason: ExitReason, timeoutMs: number = this.stopTimeoutMs): Promise<void> {
    await stopTopLevelAtOnce(this.#cells.values(), reason, this.clock.now() + timeoutMs);
  }

  /**
   * Stops every actor, top-level actors in reverse spawn order, each after its
   * children, and waits until `timeoutMs` has passed at most for turns and
   * stop hooks to finish; then the rest are cut off.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.#status !== "running") return this.#shutdownDone;
    this.#status = "shutting-down";
    await shutDownHost(this, this.#cells, this.clock.now() + timeoutMs, this.#store);
    this.#status = "shut-down";
    this.#resolveShutdown();
  }

  #resolveShutdown!: () => void;
  #shutdownDone = new Promise<void>((resolve) => this.#resolveShutdown = resolve);
}
