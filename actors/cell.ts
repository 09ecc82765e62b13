/**
 * The cell: one actor's state, mailbox and turn loop. The runtime owns the
 * loop; the definition only supplies handlers.
 *
 * Invariants: at most one turn runs at a time (`busy` while an async step is
 * awaited); a cell is in the scheduler's run queue at most once
 * (`#scheduled`); messages are handled only while `running`; a failed cell is
 * `suspended` (its mailbox kept) until its supervisor restarts or stops it;
 * runtime messages (signals, child exits) go before queued user messages;
 * once a final stop begins, nothing new is queued and every user message
 * left becomes a dead letter.
 *
 * An actor keeps its cell (and so its id, ref and mailbox) across restarts;
 * each restart begins a new incarnation.
 *
 * @module
 */

import type { CompiledDefinition, HandlerEntry } from "./_compiled.ts";
import { type ReplyTarget, TellOrigin } from "./ask.ts";
import type { AskOptions } from "./protocol.ts";
import type { ActorStats, ActorStatus } from "./ref.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { CellRuntime } from "./_cell_runtime.ts";
import type { ActorDescription, DeadLetterReason } from "./observe/dead_letters.ts";
import type { Signal } from "./signals.ts";
import { type ActorId, actorId } from "./ids.ts";
import { type Mailbox, type MailboxOptions, payloadBytes } from "./mailbox.ts";
import { ActorTimers } from "./timers.ts";
import { CellContext } from "./_cell_context.ts";
import { LocalRef } from "./local_ref.ts";
import { CellStop } from "./_cell_stop.ts";
import { CellRareParts } from "./_cell_rare.ts";
import { startIncarnation } from "./_cell_start.ts";
import type { StartOutcome, StartWaiter } from "./_cell_started.ts";
import { refusalReason } from "./_refusal_reason.ts";
import { stoppedError } from "./_stopped_error.ts";
import {
  ActorFailedError,
  InvalidHandlerResultError,
  MailboxFullError,
  MessageKindError,
  UnknownMessageError,
} from "./errors.ts";
import { RestartIntensityError } from "./supervision/errors.ts";
import { describeError } from "../base/errors.ts";
import { type TurnTracer, untraced } from "./observe/tracing.ts";
import { timeoutError } from "../base/timeouts.ts";

/**
 * What a cell needs of the writer of its persistent state (implemented in
 * `persistence/_state_load.ts` and `_persister.ts`, which the cell does not import).
 */
export interface CellPersister {
  /** The state changed in the turn of message `messageName`: write it (coalesced). */
  changed(messageName: string): void;
  /** Releases an ask's reply once the state it saw is stored. */
  reply(ask: ReplyTarget | undefined, reply: unknown): void;
  /** Resolves once everything changed so far is written (or the write failed). */
  flush(): Promise<unknown>;
}

/**
 * One actor, across its incarnations. Its rarely used parts (stops,
 * watches, a persistent key) are in {@linkcode CellRareParts}, made on first
 * use; its mailbox exists only while messages wait.
 */
export class Cell extends CellRareParts {
  /** The ref handed out for this actor. */
  readonly ref: LocalRef;
  /** The parent, or `undefined` for a top-level actor. */
  readonly parent: Cell | undefined;
  /** The spawn name, if any. */
  readonly name: string | undefined;
  /** The per-host sequence number behind the id. */
  readonly sequence: number;
  /** The compiled definition. */
  readonly def: CompiledDefinition;
  /** The arguments passed to `init` (again at each restart). */
  readonly args: unknown;
  /** Where the actor is in its life. */
  status: ActorStatus = "starting";
  /** The current state (valid once `initialized`). */
  state: unknown = undefined;
  /** True once `init` has produced the state of the current incarnation. */
  initialized = false;
  /** True while an async step (a turn, `init` or `onStart`) is being awaited. */
  busy = false;
  /** Restarts so far; incarnation 0 is the first. */
  incarnation = 0;
  /** How the start of the current incarnation ended, once it has (see `_cell_started.ts`). */
  startOutcome: StartOutcome | undefined = undefined;
  /** Who waits for the start of the current incarnation. */
  startWaiters: StartWaiter[] | undefined = undefined;
  /** The dispatcher's: how many more of its messages it times one by one (see `scheduler.ts`). */
  timedMessages = 0;
  /** The live children, in spawn order. */
  children: Set<Cell> | undefined = undefined;
  /** Saves the state of the current incarnation, for persistent actors. */
  persister: CellPersister | undefined = undefined;
  /**
   * The host whose request spawned it, when that is another host (its
   * supervisor's or owner's): only that host may activate its persistence
   * key again while it may still run.
   */
  requester: string | undefined = undefined;
  readonly #runtime: CellRuntime;
  readonly #mailboxOptions: MailboxOptions;
  /** The entries of messages sent on this host: checked ones when the system checks those. */
  readonly #local: ReadonlyMap<string, HandlerEntry>;
  /**
   * The runtime's tracer, kept here: read through the runtime on every send
   * it cost a local tell about 7% more instructions with tracing off
   * (valgrind, 4M tells; see BENCHMARKS.md).
   */
  readonly #tracer: TurnTracer | undefined;
  #id: ActorId | undefined = undefined;
  #mailbox: Mailbox<HandlerEntry, ReplyTarget | TellOrigin> | undefined = undefined;
  #scheduled = false;
  #handled = 0;
  #context: CellContext | undefined = undefined;
  #timers: ActorTimers | undefined = undefined;
  #stepToken = 0;
  #onAbandon: (() => void) | undefined = undefined;

  /** Created by the runtime's spawn; call {@linkcode Cell.schedule} to start it. */
  constructor(
    runtime: CellRuntime,
    def: CompiledDefinition,
    sequence: number,
    name: string | undefined,
    parent: Cell | undefined,
    args: unknown,
    mailbox: MailboxOptions,
    shutdownTimeoutMs: number | undefined,
    persistKey: string | undefined,
  ) {
    super(shutdownTimeoutMs, persistKey);
    this.#runtime = runtime;
    this.#tracer = runtime.tracer;
    this.def = def;
    this.sequence = sequence;
    this.name = name;
    this.parent = parent;
    this.args = args;
    this.#mailboxOptions = mailbox;
    this.#local = runtime.validateLocal ? def.checked ?? def.entries : def.entries;
    this.ref = new LocalRef(this);
  }

  /** The actor's id. */
  get id(): ActorId {
    return this.#id ??= actorId(this.#runtime.hostId, this.sequence);
  }

  /** The runtime that owns this cell. */
  get runtime(): CellRuntime {
    return this.#runtime;
  }

  /** Id, name and type, for records. */
  describe(): ActorDescription {
    return this.name === undefined
      ? { id: this.id, type: this.def.type }
      : { id: this.id, name: this.name, type: this.def.type };
  }

  /** The context passed to user code (made on first use). */
  context(): CellContext {
    return this.#context ??= new CellContext(this);
  }

  /** The actor's timers (made on first use). */
  timers(): ActorTimers {
    return this.#timers ??= new ActorTimers(this, this.#runtime.clock);
  }

  /** Cancels all timers (when an incarnation ends). */
  cancelTimers(): void {
    this.#timers?.cancelAll();
  }

  // ---- sending -------------------------------------------------------------

  /** The handler of a message name, or the typed error for an unknown name or the wrong kind. */
  #lookup(
    name: string,
    kind: "tell" | "ask",
    entries: ReadonlyMap<string, HandlerEntry>,
  ): HandlerEntry | UnknownMessageError | MessageKindError {
    const entry = entries.get(name) ??
      (typeof name === "string" ? this.def.fallback?.(name) : undefined);
    if (entry === undefined) return new UnknownMessageError(this.def.type, String(name));
    if (entry.kind !== kind && entry.kind !== "raw") {
      return new MessageKindError(this.def.type, name, entry.kind as "tell" | "ask");
    }
    return entry;
  }

  /** Resolves a message name, throwing the typed error for an unknown one or the wrong kind. */
  entryFor(name: string, kind: "tell" | "ask"): HandlerEntry {
    const entry = this.#lookup(name, kind, this.#local);
    if (entry instanceof Error) {
      this.deadLetter("unknown-message", String(name), kind, undefined, entry, true);
      throw entry;
    }
    return entry;
  }

  /** `ref.tell`: queue a tell, throwing for an unknown name or a rejecting full mailbox. */
  tell(name: string, payload: unknown): void {
    const entry = this.#local.get(name);
    const refused = this.#enqueue(
      entry !== undefined && entry.kind !== "ask" ? entry : this.entryFor(name, "tell"),
      payload,
      undefined,
    );
    if (refused === undefined) return;
    const options = this.#mailboxOptions;
    const thrown = MailboxFullError.is(refused) &&
      !(options.kind === "bounded" && options.overflow === "drop-newest");
    this.deadLetter(refusalReason(refused), name, "tell", payload, refused, thrown);
    if (thrown && MailboxFullError.is(refused)) throw refused;
  }

  /** `ref.whenRoom`: resolves once a tell fits its mailbox, or at once when it is stopping. */
  whenRoom(): Promise<void> {
    const mailbox = this.#mailbox;
    return mailbox === undefined || this.stopping !== undefined
      ? Promise.resolve()
      : mailbox.whenRoom();
  }

  /** `ref.ask`: queue an ask and return the reply's promise. Never throws. */
  ask(name: string, payload: unknown, options: AskOptions | undefined): Promise<unknown> {
    let entry = this.#local.get(name);
    try {
      if (entry === undefined || entry.kind === "tell") entry = this.entryFor(name, "ask");
    } catch (err) {
      return Promise.reject(err);
    }
    const timeoutMs = options?.timeoutMs ?? this.#runtime.askTimeoutMs;
    const badTimeout = timeoutError("timeoutMs", timeoutMs);
    if (badTimeout !== undefined) return Promise.reject(badTimeout);
    if (this.stopping !== undefined) {
      const err = stoppedError(this, name);
      this.deadLetter("actor-stopped", name, "ask", payload, err);
      return Promise.reject(err);
    }
    const ask = this.#runtime.asks.create(this.ref, name, timeoutMs, options?.signal);
    const refused = this.#enqueue(entry, payload, ask);
    if (refused !== undefined) {
      this.deadLetter(refusalReason(refused), name, "ask", payload, refused);
      ask.reject(refused);
    }
    return ask.promise;
  }

  /**
   * Queues a message that came from another host, with the reply target of
   * an ask or the origin of a tell. A refusal records no dead letter here:
   * the sender records the only one (an ask's reply target gets the typed
   * error; a tell's refusal is returned, and one never handled later goes
   * back through its origin). A message with a runtime schema is checked
   * in its turn.
   *
   * @returns `undefined` when queued, else the typed error of the refusal.
   */
  offer(
    name: string,
    payload: unknown,
    reply: ReplyTarget | TellOrigin,
    bytes: number,
  ): Error | undefined {
    const isTell = reply instanceof TellOrigin;
    const entry = this.#lookup(name, isTell ? "tell" : "ask", this.def.checked ?? this.def.entries);
    const refused = entry instanceof Error ? entry : this.#enqueue(entry, payload, reply, bytes);
    if (isTell) return refused;
    if (refused !== undefined) reply.reject(refused);
    return refused;
  }

  /** Timer delivery: queue a tell to self; refusals become dead letters, never exceptions. */
  deliverToSelf(entry: HandlerEntry, payload: unknown): void {
    const refused = this.#enqueue(entry, payload, undefined);
    if (refused !== undefined) {
      this.deadLetter(refusalReason(refused), entry.name, "tell", payload, refused);
    }
  }

  /**
   * Queues a runtime message (a signal, a child exit, a restart that is due)
   * in the mailbox's system lane: it is handled before any queued user
   * message, and never counted against or refused for capacity.
   */
  deliverInternal(entry: HandlerEntry, payload: unknown): void {
    if (this.stopping !== undefined) return;
    (this.#mailbox ??= this.#runtime.mailboxes.obtain(this.#mailboxOptions)).putSystem(
      entry,
      payload,
    );
    this.#wake();
  }

  /** Queues a lifecycle signal for `onSignal`; ignored when the definition has none. */
  signal(signal: Signal): void {
    const entry = this.def.signalEntry;
    if (entry !== undefined) this.deliverInternal(entry, signal);
  }

  /**
   * Queues a message, applying the overflow policy.
   *
   * @param bytes Its size: the envelope's for one from another host, else estimated.
   * @returns `undefined` when queued, else the typed error of the refusal
   *   (the caller records the dead letter and rejects the ask).
   */
  #enqueue(
    entry: HandlerEntry,
    payload: unknown,
    ask: ReplyTarget | TellOrigin | undefined,
    bytes: number = payloadBytes(payload),
  ): Error | undefined {
    if (this.stopping !== undefined) return stoppedError(this, entry.name);
    const mailbox = this.#mailbox ??= this.#runtime.mailboxes.obtain(this.#mailboxOptions);
    if (!mailbox.fits(bytes)) {
      const options = this.#mailboxOptions;
      if (options.kind !== "bounded" || options.overflow !== "drop-oldest") {
        return mailbox.refusal(this.id, entry.name);
      }
      while (!mailbox.fits(bytes)) this.#dropOldest(mailbox);
    }
    const tracer = this.#tracer;
    mailbox.put(entry, tracer === undefined ? payload : tracer.wrap(payload), ask, bytes);
    if (!this.#scheduled && !this.busy) this.#wake();
    return undefined;
  }

  #wake(): void {
    if (!this.#scheduled && !this.busy && this.status === "running") this.schedule();
  }

  /**
   * Makes room under `drop-oldest`: the oldest queued message is not handled
   * (its sender gets the one dead letter; its ask is rejected).
   */
  #dropOldest(mailbox: Mailbox<HandlerEntry, ReplyTarget | TellOrigin>): void {
    const { capacity, maxBytes } = mailbox.refusal(this.id, "");
    const oldest = mailbox.take();
    const err = new MailboxFullError(this.id, capacity, oldest.name, { maxBytes });
    this.#unhandled(oldest, untraced(mailbox.takenPayload), mailbox.takenAsk, err);
  }

  /**
   * A queued message that will never be handled: its one dead letter is
   * recorded where its sender is (here, or back on the sending host), and
   * its ask is rejected.
   */
  #unhandled(
    entry: HandlerEntry,
    payload: unknown,
    from: ReplyTarget | TellOrigin | undefined,
    err: Error,
  ): void {
    if (from instanceof TellOrigin) {
      from.refused(this.id, this.def.type, entry.name, payload, err);
      return;
    }
    if (from?.remote !== true) {
      const kind = from ? "ask" : "tell";
      this.deadLetter(refusalReason(err), entry.name, kind, payload, err, from?.settled === false);
    }
    from?.reject(err);
  }

  /**
   * Records a dead letter addressed to this actor.
   *
   * @param reported Whether the failure reaches someone otherwise (its sender
   *   gets the error, thrown or as its ask's rejection; or it is logged as an
   *   unsupervised failure), so that it is not logged here too.
   *   @default {kind === "ask"}
   */
  deadLetter(
    reason: DeadLetterReason,
    messageName: string,
    kind: "tell" | "ask" | "reply",
    payload: unknown,
    error?: unknown,
    reported?: boolean,
  ): void {
    this.#runtime.deadLetters.publish({
      reason,
      target: this.describe(),
      messageName,
      kind,
      payload,
      ...(error === undefined ? {} : { error: describeError(error) }),
    }, reported);
  }

  /** The host the message of the current turn came from, when it is a tell from another host. */
  get takenOrigin(): TellOrigin | undefined {
    const taken = this.#mailbox?.takenAsk;
    return taken instanceof TellOrigin ? taken : undefined;
  }

  // ---- running -------------------------------------------------------------

  /** Puts the cell in the run queue (the caller checks it is not there already). */
  schedule(): void {
    this.#scheduled = true;
    this.#runtime.scheduler.enqueue(this);
  }

  /** Scheduler entry point: start if needed, then handle up to `budget` messages. */
  run(budget: number, preempt?: Int32Array): boolean {
    if (this.status === "starting" && !this.initialized && !this.busy && !startIncarnation(this)) {
      this.#scheduled = false;
      return false;
    }
    const mailbox = this.#mailbox;
    if (mailbox === undefined) {
      this.#scheduled = false;
      return false;
    }
    const ctx = this.context();
    const first = this.#handled;
    const tracer = this.#tracer;
    while (!mailbox.isEmpty && this.status === "running") {
      if (budget-- === 0) return true;
      // The liveness side saw the loop miss a tick: let timers and I/O run.
      // A plain read: a flag only needs to be seen eventually, and this one is cheaper.
      if (preempt !== undefined && this.#handled !== first && preempt[0] !== 0) {
        return true;
      }
      const entry = mailbox.takeNext();
      let payload = mailbox.takenPayload;
      const taken = mailbox.takenAsk;
      let ask: ReplyTarget | undefined;
      // A tell's slot holds nothing or its origin (another host); an ask's, its
      // reply target; only a raw handler (the test probe) takes both kinds.
      if (
        taken !== undefined && entry.kind !== "tell" &&
        (entry.kind === "ask" || !(taken instanceof TellOrigin))
      ) {
        ask = taken as ReplyTarget;
        // Nobody waits for this reply any more (its asker timed out or gave
        // up): the asker already has its typed error, so the turn is skipped.
        if (ask.settled) continue;
      }
      let result: unknown;
      this.#handled++;
      try {
        if (tracer === undefined) result = entry.fn(this.state, payload, ctx, ask, entry.name);
        else {
          const queued = payload;
          payload = untraced(queued);
          result = this.#tracedTurn(tracer, entry, queued, payload, ctx, ask);
        }
      } catch (err) {
        this.#scheduled = false;
        this.fail(err, entry, payload, ask);
        return false;
      }
      if (result instanceof Promise) {
        this.#scheduled = false;
        this.#awaitTurn(result, entry, payload, ask);
        return false;
      }
      if (entry.kind === "tell") {
        if (result !== this.state) {
          this.state = result;
          this.persister?.changed(entry.name);
        }
      } else if (!this.#complete(result, entry, payload, ask)) {
        this.#scheduled = false;
        return false;
      }
    }
    this.#scheduled = false;
    if (mailbox.isEmpty) this.#release(mailbox);
    return false;
  }

  /** A drained mailbox goes back to the spares: an actor that waits holds none. */
  #release(mailbox: Mailbox<HandlerEntry, ReplyTarget | TellOrigin>): void {
    if (this.#mailbox !== mailbox) return;
    if (this.#runtime.mailboxes.release(mailbox as Mailbox<unknown, unknown>)) {
      this.#mailbox = undefined;
    }
  }

  /**
   * Runs a turn as a span. Apart from `run` so that nothing of `run`'s loop
   * is captured: captured variables would cost every turn a context object,
   * traced or not.
   */
  #tracedTurn(
    tracer: TurnTracer,
    entry: HandlerEntry,
    queued: unknown,
    payload: unknown,
    ctx: CellContext,
    ask: ReplyTarget | undefined,
  ): unknown {
    return tracer.turn(
      this,
      entry.name,
      entry.kind,
      queued,
      entry.fn,
      this.state,
      payload,
      ctx,
      ask,
    );
  }

  /** Applies a handler's result; returns `false` when the result was invalid (the actor failed). */
  #complete(
    result: unknown,
    entry: HandlerEntry,
    payload: unknown,
    ask: ReplyTarget | undefined,
  ): boolean {
    if (entry.kind !== "ask") {
      if (result !== this.state) {
        this.state = result;
        this.persister?.changed(entry.name);
      }
      return true;
    }
    if (result === null || typeof result !== "object" || !("state" in result)) {
      this.fail(new InvalidHandlerResultError(this.def.type, entry.name), entry, payload, ask);
      return false;
    }
    const { state, reply, error } = result as { state: unknown; reply?: unknown; error?: unknown };
    const persister = this.persister;
    if (state !== this.state) {
      this.state = state;
      persister?.changed(entry.name);
    }
    if (error !== undefined && !("reply" in result)) ask?.reject(error);
    else if (persister !== undefined) persister.reply(ask, reply);
    else ask?.resolve(reply);
    return true;
  }

  #awaitTurn(
    promise: Promise<unknown>,
    entry: HandlerEntry,
    payload: unknown,
    ask: ReplyTarget | undefined,
  ): void {
    this.awaitStep(
      promise,
      (value) => {
        if (this.#complete(value, entry, payload, ask)) this.resume();
      },
      (err) => this.fail(err, entry, payload, ask),
      () => {
        const err = stoppedError(this, entry.name);
        if (ask?.remote !== true) {
          this.deadLetter("actor-stopped", entry.name, ask ? "ask" : "tell", payload, err);
        }
        ask?.reject(err);
      },
    );
  }

  /**
   * Awaits one step of the actor (a turn, `init` or `onStart`) while keeping
   * it busy. A stop or restart that waits for the step continues after it.
   */
  awaitStep(
    promise: Promise<unknown>,
    onValue: (value: unknown) => void,
    onError: (err: unknown) => void,
    onAbandon?: () => void,
  ): void {
    this.busy = true;
    this.#onAbandon = onAbandon;
    const token = ++this.#stepToken;
    promise.then((value) => {
      if (token !== this.#stepToken) return;
      this.#stepDone();
      onValue(value);
      this.#stepEnded();
    }, (err) => {
      if (token !== this.#stepToken) return;
      this.#stepDone();
      onError(err);
      this.#stepEnded();
    });
  }

  #stepDone(): void {
    this.busy = false;
    this.#onAbandon = undefined;
  }

  #stepEnded(): void {
    this.ending?.stepEnded();
    this.stopping?.stepEnded();
  }

  /**
   * Gives up on the awaited step (a stop cut it off): its outcome is ignored,
   * and the message it was handling is dead-lettered.
   */
  abandonStep(): void {
    if (!this.busy) return;
    this.#stepToken++;
    const onAbandon = this.#onAbandon;
    this.#stepDone();
    onAbandon?.();
  }

  /** Continues after an async step: schedules the next messages, if any. */
  resume(): void {
    const mailbox = this.#mailbox;
    if (mailbox === undefined) return;
    if (!mailbox.isEmpty) {
      if (this.status === "running") this.schedule();
    } else if (!this.#scheduled && !this.busy) this.#release(mailbox);
  }

  /**
   * The actor failed (a handler, `init` or `onStart` threw, or a handler
   * returned garbage). The message goes to the dead letters, its ask is
   * rejected, the actor is suspended, and its parent decides.
   *
   * @param waited Whether someone waiting for the actor's start received the failure.
   * @param during The message whose turn it failed after, without `entry`
   *   (its state could not be stored): its death record names it.
   */
  fail(
    err: unknown,
    entry: HandlerEntry | undefined,
    payload: unknown,
    ask: ReplyTarget | undefined,
    waited = false,
    during?: string,
  ): void {
    // A failure is recorded, and logged only where nobody receives it: an
    // asker (or a start's waiter) gets it; else an unsupervised one is logged as such.
    const received = waited || (ask !== undefined && !ask.settled);
    const reported = received ||
      (this.stopping === undefined && this.ending === undefined && this.#runtime.logsFailure(this));
    if (entry !== undefined && entry.internal !== true) {
      this.deadLetter("handler-failed", entry.name, ask ? "ask" : "tell", payload, err, reported);
      ask?.reject(new ActorFailedError(this.id, entry.name, { cause: err }));
    }
    const reason: ExitReason = err instanceof RestartIntensityError
      ? { kind: "escalated", error: err, childId: err.childId }
      : { kind: "error", error: err, messageName: entry?.name ?? during };
    this.crashReason ??= reason;
    if (this.stopping !== undefined || this.ending !== undefined) return;
    this.status = "suspended";
    this.#runtime.failed(this, reason, received);
  }

  /**
   * After a crash, before anyone decides about it (OTP runs `terminate` as
   * the process crashes): stops the children and runs `onStop`, with no
   * deadline. A stop or restart ordered meanwhile waits for it, up to its
   * own deadline, and writes the death record.
   */
  cleanUp(reason: ExitReason): Promise<void> {
    if (this.cleanup === undefined) {
      const cleanup = new CellStop(this, "cleanup", reason, Infinity, false);
      this.cleanup = cleanup;
      queueMicrotask(() => cleanup.begin());
    }
    return this.cleanup.done;
  }

  // ---- incarnations and stopping ---------------------------------------------

  /**
   * Stops the actor for good: waits for the running turn, stops the children
   * in reverse spawn order, runs `onStop`, drops what is left in the mailbox to
   * the dead letters, writes the death record and tells watchers. Everything
   * is cut off at `deadlineMs`.
   *
   * @param notifyParent Whether a supervising parent hears of it (not when it asked for the stop).
   */
  stop(reason: ExitReason, deadlineMs: number, notifyParent = true): Promise<void> {
    if (this.stopping === undefined) {
      const stopping = new CellStop(this, "final", reason, deadlineMs, notifyParent);
      this.stopping = stopping;
      const ending = this.ending;
      this.status = "stopping";
      // Begin after the current synchronous turn (so a handler that stops itself
      // finishes its turn first), and after a restart that is ending this incarnation.
      if (ending === undefined) queueMicrotask(() => stopping.begin());
      else ending.done.then(() => stopping.begin());
    }
    return this.stopping.done;
  }

  /**
   * Ends the current incarnation before a restart: like a stop, but the
   * mailbox, id and registration are kept, and no watcher is told.
   */
  endIncarnation(reason: ExitReason, deadlineMs: number): Promise<void> {
    if (this.stopping !== undefined) return this.stopping.done;
    if (this.ending !== undefined) return this.ending.done;
    const ending = new CellStop(this, "restart", reason, deadlineMs, false);
    this.ending = ending;
    this.status = "restarting";
    queueMicrotask(() => ending.begin());
    return ending.done;
  }

  /** Starts a new incarnation after {@linkcode Cell.endIncarnation}: `init` runs again. */
  beginIncarnation(): void {
    if (this.stopping !== undefined || this.status !== "restarting") return;
    this.ending = undefined;
    this.cleanup = undefined;
    this.crashReason = undefined;
    this.incarnation++;
    this.#tracer?.restarted(this);
    this.initialized = false;
    this.startOutcome = undefined;
    this.status = "starting";
    this.schedule();
  }

  /**
   * Empties both lanes of the mailbox (last step of a final stop): user
   * messages go to its {@linkcode CellRareParts.handBack} when it has one
   * and takes them, else to the dead letters with their asks rejected;
   * runtime messages are dropped, tells it sent itself dead-lettered.
   */
  drainToDeadLetters(): void {
    const mailbox = this.#mailbox;
    if (mailbox === undefined) return;
    const handBack = this.handBack;
    while (!mailbox.isEmpty) {
      const bytesBefore = mailbox.bytes;
      const entry = mailbox.takeNext();
      const payload = untraced(mailbox.takenPayload);
      if (entry.internal === true) continue;
      const from = mailbox.takenAsk;
      const taken = handBack !== undefined && from !== undefined &&
        handBack(entry.name, payload, from, bytesBefore - mailbox.bytes);
      if (!taken) this.#unhandled(entry, payload, from, stoppedError(this, entry.name));
    }
    mailbox.releaseRoomWaiters();
    this.#release(mailbox);
  }

  /** Whether it holds a mailbox now (for tests of the memory an actor keeps after use). */
  get holdsMailbox(): boolean {
    return this.#mailbox !== undefined;
  }

  /** Messages handled (successfully or not), across incarnations. */
  get handled(): number {
    return this.#handled;
  }

  /** How many user messages wait in its mailbox (runtime messages are not counted). */
  get queued(): number {
    return this.#mailbox?.length ?? 0;
  }

  /** A snapshot of the actor's counters. */
  stats(): ActorStats {
    const mailbox = this.#mailbox;
    return {
      id: this.id,
      name: this.name,
      type: this.def.type,
      status: this.status,
      mailbox: { ...this.#mailboxOptions, depth: mailbox?.length ?? 0, bytes: mailbox?.bytes ?? 0 },
      handled: this.#handled,
      restarts: this.incarnation,
      children: this.children?.size ?? 0,
    };
  }
}
