/**
 * The runtime behind an `ActorSystem`: the registry of live cells, spawn,
 * failure handling and shutdown. Not part of the public API.
 *
 * @module
 */

import { tracerRegistered, TurnTracer } from "./observe/tracing.ts";
import { endWaitingSpans } from "./observe/_span_ends.ts";
import { TurnTimes } from "./observe/turn_times.ts";
import { cryptoRandom, type RandomSource } from "../base/random.ts";
import type { CellRuntime } from "./_cell_runtime.ts";
import type { Clock } from "../base/clock.ts";
import type { ActorDefinition } from "./definition.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { SpawnOptions } from "./spawn_options.ts";
import { AskTracker } from "./ask.ts";
import { Cell } from "./cell.ts";
import { type DeadLetterOptions, DeadLetters } from "./observe/dead_letters.ts";
import { afterHost, type HostId, sequenceAt, validateName } from "./ids.ts";
import { DEFAULT_MAILBOX, type MailboxOptions, resolveMailbox } from "./mailbox.ts";
import { MailboxPool } from "./mailbox_pool.ts";
import { Scheduler, type SchedulerOptions } from "./scheduler.ts";
import { compile } from "./_compiled.ts";
import { SHUTDOWN, STOPPED } from "./exit_reason.ts";
import { LoadMeter } from "./load_meter.ts";
import type { Logger } from "./observe/logger.ts";
import { describeError, InvalidOptionError } from "../base/errors.ts";
import { ITEMS_PER_PAUSE, runAtOnce, type Steps } from "../base/slices.ts";
import { DuplicateNameError, SystemStoppedError } from "./errors.ts";
import type { StateStore } from "../store/store.ts";
import type { BaseRef, SerializedRef } from "./ref.ts";
import { type RemotePort, SoloPort } from "./remote_port.ts";
import { UnknownRef } from "./unknown_ref.ts";
import { ObjectTable } from "./objects/object_table.ts";
import { isSerializedObjectRef } from "./objects/object_ref.ts";
import { Keeper } from "./objects/keeper.ts";
import { EntityRegistry } from "./entities/registry.ts";
import { EntityRef } from "./entities/entity_ref.ts";
import { parseEntityId } from "./entities/address.ts";
import { definitionOf } from "./_registry.ts";
import type { ValidateMessages } from "./message_schemas.ts";
import { warmPersister } from "./persistence/loader.ts";
import {
  type DeathRecord,
  type DeathRecordOptions,
  DeathRecords,
} from "./observe/death_records.ts";

/**
 * The shortest time an object fetch from another host may take before it is
 * given up: a large value takes longer than an ordinary ask.
 */
const MIN_FETCH_TIMEOUT_MS = 60_000;

/** The longest persistence key, so that its encoded store key stays within the store's limit. */
const MAX_PERSIST_KEY_LENGTH = 160;

function checkPersistKey(key: string | undefined, type: string): string {
  if (key === undefined) {
    throw new InvalidOptionError(
      "persistKey",
      undefined,
      `a name or persistKey for the persistent actor type '${type}'`,
    );
  }
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_PERSIST_KEY_LENGTH) {
    throw new InvalidOptionError(
      "persistKey",
      key,
      `a non-empty string of at most ${MAX_PERSIST_KEY_LENGTH} characters`,
    );
  }
  return key;
}

/** One line about a failure that nothing supervises. */
function describeFailure(cell: Cell, reason: ExitReason): string {
  const where = reason.kind === "error" && reason.messageName !== undefined
    ? `while handling '${reason.messageName}'`
    : reason.kind === "escalated"
    ? `(supervisor gave up on child '${reason.childId}')`
    : "while starting";
  const error = "error" in reason ? describeError(reason.error) : undefined;
  const who = cell.name === undefined ? cell.id : `${cell.name} (${cell.id})`;
  return `[actor failure] ${cell.def.type} ${who} failed ${where}: ${error?.name}: ${error?.message}` +
    ` — not supervised, so it stopped; system.deaths.last(ref) has the record`;
}

/** Checked settings of a runtime. */
export interface RuntimeSettings {
  /** This host's id. */
  readonly hostId: HostId;
  /** The time source. */
  readonly clock: Clock;
  /** Randomness for ids nobody may guess; default: the platform's strong randomness. */
  readonly random?: RandomSource;
  /** Default ask timeout. */
  readonly askTimeoutMs: number;
  /** Default stop timeout. */
  readonly stopTimeoutMs: number;
  /** The mailbox of actors whose spawn and definition name none; default: `DEFAULT_MAILBOX`. */
  readonly mailbox?: MailboxOptions;
  /** The spare mailboxes of this system's actors; default: a pool of its own. */
  readonly mailboxes?: MailboxPool;
  /** Dead-letter buffer and logging. */
  readonly deadLetters: DeadLetterOptions;
  /** Dispatcher tuning. */
  readonly scheduler: SchedulerOptions;
  /** Death-record bounds. */
  readonly deathRecords: DeathRecordOptions;
  /** What a failure that reaches the top does. */
  readonly topLevelFailure: TopLevelFailure;
  /** Whether unsupervised failures are logged. */
  readonly logFailures: boolean;
  /** Where the runtime's messages go. */
  readonly logger: Logger;
  /** The store of persistent actors, or `undefined` to open the file store at `stateFile`. */
  readonly store: StateStore | undefined;
  /** The file of the embedded store, used when `store` is not given. */
  readonly stateFile: string;
  /** The sequence number of this process's first actor (see {@linkcode firstSequence}). */
  readonly firstSequence: number;
  /** Which messages are checked against their schemas; `"remote"` when not given. */
  readonly validateMessages?: ValidateMessages;
  /** The most entities resident at once; default `DEFAULT_MAX_RESIDENT_ENTITIES`. */
  readonly maxResidentEntities?: number;
  /**
   * Whether handler turns are traced; when not given, whether a tracer
   * provider is registered with `@opentelemetry/api` as the runtime starts.
   */
  readonly tracing?: boolean;
  /** Whether handler turns are timed by actor type (see {@linkcode Runtime.turnTimes}). */
  readonly metrics?: boolean;
}

/**
 * What happens when a failure reaches the top (a top-level actor, or a
 * top-level supervisor that gave up):
 * - `"keep-running"`: that actor stops with a death record and a line on
 *   `console.error`; the rest of the system keeps running;
 * - `"shutdown"`: the same, then the whole system shuts down.
 */
export type TopLevelFailure = "keep-running" | "shutdown";

/** A host's load at one moment. */
export interface HostLoad {
  /** Messages waiting in all mailboxes. */
  readonly queuedMessages: number;
  /** Messages handled since the host started. */
  readonly handledMessages: number;
  /** Messages handled per second, lately. */
  readonly messagesPerSecond: number;
}

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
  readonly #topLevelFailure: TopLevelFailure;
  readonly #logFailures: boolean;
  readonly #givenStore: StateStore | undefined;
  readonly #stateFile: string;
  #store: Promise<StateStore> | undefined = undefined;
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
    let queued = 0;
    let handled = this.#handledByRemoved;
    let counted = 0;
    for (const cell of this.#cells.values()) {
      queued += cell.queued;
      handled += cell.handled;
      if (++counted % ITEMS_PER_PAUSE === 0) yield;
    }
    const messagesPerSecond = this.#load.sample(this.clock.now(), handled);
    return { queuedMessages: queued, handledMessages: handled, messagesPerSecond };
  }

  /** The live actors of this host, in spawn order. */
  cells(): IterableIterator<Cell> {
    return this.#cells.values();
  }

  /**
   * The live actors spawned after sequence number `afterSequence`, in spawn
   * order, including those spawned while the walk goes on. A page after a
   * cursor starts there rather than walking the actors before it again
   * (each page of a host with many actors would otherwise cost a walk from
   * the first). Sequence numbers are counted one by one while the range
   * left is not much wider than the live actors; past that (most actors
   * spawned since stopped), the live ones are walked and the earlier skipped.
   */
  *cellsAfter(afterSequence: number): IterableIterator<Cell> {
    let sequence = Math.max(afterSequence + 1, this.#firstSequence);
    if (this.#nextSequence - sequence > 2 * this.#cells.size + 1_024) {
      for (const cell of this.#cells.values()) if (cell.sequence > afterSequence) yield cell;
      return;
    }
    for (; sequence < this.#nextSequence; sequence++) {
      const cell = this.#cells.get(sequence);
      if (cell !== undefined) yield cell;
    }
  }

  /** When this runtime started, in clock milliseconds. */
  readonly startedAtMs: number;
  #load: LoadMeter;
  #handledByRemoved = 0;

  /** The live supervisors of this host (actors with a child-exit handler). */
  supervisors(): Cell[] {
    const found: Cell[] = [];
    for (const cell of this.#cells.values()) if (cell.def.childExit !== undefined) found.push(cell);
    return found;
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
    this.#topLevelFailure = settings.topLevelFailure;
    this.#logFailures = settings.logFailures;
    this.#givenStore = settings.store;
    // A host given a store will hold persistent actors: their code loads now, not on a failover.
    if (settings.store !== undefined) warmPersister();
    this.startedAtMs = settings.clock.now();
    this.#load = new LoadMeter(this.startedAtMs);
    this.#stateFile = settings.stateFile;
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
    return this.#objects ??= new ObjectTable({
      hostId: this.hostId,
      clock: this.clock,
      fetchTimeoutMs: Math.max(this.askTimeoutMs, MIN_FETCH_TIMEOUT_MS),
      spawnKeeper: (side) => this.spawn(Keeper as never, { args: side } as never, undefined).ref,
      resolveRef: (serialized) => this.resolveRef(serialized),
      knowsHost: (hostId) => this.remote.knowsHost(hostId),
      fanout: () => this.remote.objectFanout,
      store: () => this.store(),
      warn: (text, error) => this.logger.warn(text, { error: describeError(error).message }),
    });
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
    const existing = options?.existing ?? "error";
    if (existing !== "error" && existing !== "reuse" && existing !== "replace") {
      throw new InvalidOptionError("existing", existing, `"error", "reuse" or "replace"`);
    }
    let replaced: Promise<void> | undefined;
    if (name !== undefined) {
      validateName(name, "name");
      const holder = this.#names.get(name);
      if (holder !== undefined) {
        if (
          existing === "reuse" && holder.def.type === compiled.type && holder.stopping === undefined
        ) return holder;
        // A supervisor's child is its supervisor's to stop or restart, not a spawn's.
        if (existing !== "replace" || holder.parent !== undefined) {
          throw new DuplicateNameError(name, holder.id);
        }
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
    if (!this.#logFailures) return false;
    const parent = cell.parent;
    if (parent === undefined) return !this.remote.supervisesRemotely(cell.id);
    return parent.def.childExit === undefined || parent.stopping !== undefined;
  }

  failed(cell: Cell, reason: ExitReason, received = false): void {
    const parent = cell.parent;
    const incarnation = cell.incarnation;
    // The crashed actor cleans up first (children, `onStop`), with no deadline:
    // only stops that someone orders have one. Then its supervisor decides.
    const cleaned = cell.cleanUp(reason);
    if (parent === undefined && this.remote.supervisesRemotely(cell.id)) {
      // Its supervisor is on another host: it stops here and reports there.
      void cleaned.then(() =>
        cell.stop(reason, this.clock.now() + (cell.shutdownTimeoutMs ?? this.stopTimeoutMs))
      );
      return;
    }
    if (parent?.def.childExit !== undefined && parent.stopping === undefined) {
      const childExit = parent.def.childExit;
      void cleaned.then(() => {
        if (parent.stopping !== undefined) return;
        childExit(parent, { child: cell, reason, incarnation, final: false });
      });
      return;
    }
    // Nothing supervises it: it stops for good, and the failure is reported,
    // on the console only when no asker received it.
    if (this.#logFailures && !received) {
      this.logger.error(describeFailure(cell, reason), {
        actor: cell.id,
        type: cell.def.type,
        message: reason.kind === "error" ? reason.messageName : undefined,
      });
    }
    const stopped = cleaned.then(() => cell.stop(reason, this.clock.now() + this.stopTimeoutMs));
    if (parent === undefined && this.#topLevelFailure === "shutdown") {
      void stopped.then(() => this.shutdown(this.stopTimeoutMs));
    }
  }

  childStopped(cell: Cell, reason: ExitReason): void {
    const parent = cell.parent;
    if (parent === undefined) {
      this.remote.remoteChildStopped(cell.id, reason);
      return;
    }
    if (parent?.def.childExit === undefined || parent.stopping !== undefined) return;
    parent.def.childExit(parent, {
      child: cell,
      reason,
      incarnation: cell.incarnation,
      final: true,
    });
  }

  recordDeath(record: DeathRecord): void {
    this.deaths.add(record);
  }

  store(): Promise<StateStore> {
    if (this.#givenStore !== undefined) return Promise.resolve(this.#givenStore);
    if (this.#store === undefined) {
      // The embedded store is loaded on first use, so a program without persistent actors never loads it.
      const opening = import("../store/file_store.ts").then(({ FileStore }) =>
        FileStore.open({ path: this.#stateFile })
      );
      this.#store = opening;
      // A failed open is not cached: the next activation tries again.
      opening.catch(() => {
        if (this.#store === opening) this.#store = undefined;
      });
    }
    return this.#store;
  }

  /**
   * Stops every actor with `reason`, top-level actors in reverse spawn
   * order, each after its children, and keeps the system running (a host
   * that was declared lost fences itself this way).
   */
  async stopAll(reason: ExitReason, timeoutMs: number = this.stopTimeoutMs): Promise<void> {
    const deadlineMs = this.clock.now() + timeoutMs;
    const topLevel: Cell[] = [];
    for (const cell of this.#cells.values()) if (cell.parent === undefined) topLevel.push(cell);
    for (let i = topLevel.length - 1; i >= 0; i--) {
      await topLevel[i].stop(reason, deadlineMs, false);
    }
  }

  /**
   * Stops every actor, top-level actors in reverse spawn order, each after its
   * children, and waits until `timeoutMs` has passed at most for turns and
   * stop hooks to finish; then the rest are cut off.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.#status !== "running") return this.#shutdownDone;
    this.#status = "shutting-down";
    const deadlineMs = this.clock.now() + timeoutMs;
    // While still a member, so that no host takes a shard before its entities stopped here.
    const handed = await this.entities.handOffAll(deadlineMs);
    // What it relayed goes out before its goodbye.
    if (handed > 0) await this.remote.flush?.().catch(() => {});
    this.remote.leave();
    const topLevel: Cell[] = [];
    for (const cell of this.#cells.values()) if (cell.parent === undefined) topLevel.push(cell);
    for (let i = topLevel.length - 1; i >= 0; i--) await topLevel[i].stop(SHUTDOWN, deadlineMs);
    // It still relays what reaches it until every peer said it sends nothing more: each peer
    // holds its new messages for the entities that were here until this host answered it,
    // after its relays (cluster/leave_fences.ts). Then what comes is refused (its sender hears why).
    await this.remote.peersSettled?.(deadlineMs);
    this.entities.stopRelaying();
    await this.entities.relaysAnswered(deadlineMs);
    await this.remote.close();
    this.asks.rejectAll(() => new SystemStoppedError(this.hostId));
    this.deadLetters.flushLog();
    // The spans of the last turns end now, not on a timer after the system is gone.
    if (this.tracer !== undefined) endWaitingSpans();
    const opened = this.#store;
    this.#store = undefined;
    if (opened !== undefined) await opened.then((store) => store.close(), () => {});
    this.#status = "shut-down";
    this.#resolveShutdown();
  }

  #resolveShutdown!: () => void;
  #shutdownDone = new Promise<void>((resolve) => this.#resolveShutdown = resolve);
}
