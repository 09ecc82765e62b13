/**
 * This host's actors as other hosts reach them: every operation names an
 * actor by id, so the cluster never touches a cell. The cluster's remoting
 * calls it with frames that arrived; it answers with what to send back.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import { refusalReason } from "./_refusal_reason.ts";
import type { Runtime } from "./runtime.ts";
import type { ActorDefinition } from "./definition.ts";
import type { SpawnOptions } from "./spawn_options.ts";
import type { ActorStats, BaseRef, SerializedRef } from "./ref.ts";
import type { DeathRecord } from "./observe/death_records.ts";
import type { DeadLetterReason } from "./observe/dead_letters.ts";
import type { HostSnapshot } from "./observe/inspection.ts";
import { type ExitReason, STOPPED } from "./exit_reason.ts";
import { type HostContext, snapshotHost, snapshotHostInSlices } from "./observe/_snapshot.ts";
import { pageHostInSlices } from "./observe/_page_steps.ts";
import type { HostActorPage, HostActorQuery } from "./observe/actor_pages.ts";
import { onHostGone, onRemoteChildExit } from "./supervision/_supervisor_core.ts";
import { UnknownActorError } from "./errors.ts";
import { stoppedError, stoppedErrorOf } from "./_stopped_error.ts";
import type { ReplyTarget, TellOrigin } from "./ask.ts";
import { entityIdOn } from "./entities/address.ts";

/** Why a message from another host was not queued. */
export interface Refusal {
  /** The dead-letter reason. */
  readonly reason: DeadLetterReason;
  /** The target's actor type, when this host knows it. */
  readonly type: string | undefined;
}

/** The actors of one host, by id. */
export class LocalHost {
  readonly #runtime: Runtime;
  /** The cell of the previous delivery: most frames of a batch go to few actors. */
  #last: { readonly id: string; readonly cell: Cell } | undefined;

  /** @param runtime The runtime whose actors it reaches. */
  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /**
   * Delivers a tell that arrived from another host. A refusal records no
   * dead letter here: the sender records the only one; so does a tell that
   * is queued but never handled, which goes back through `origin`.
   *
   * @param bytes The size of its envelope on the wire (it counts against the mailbox's `maxBytes`).
   * @param sender The host it came from (the entity registry uses it to tell a message that the shard's holder sent back).
   * @returns `undefined` when it was queued, else why it was refused.
   */
  deliverTell(
    to: string,
    name: string,
    payload: unknown,
    origin: TellOrigin,
    bytes: number,
    sender?: string,
  ): Refusal | undefined {
    if (this.#toEntity(to, name, payload, origin, bytes, sender)) return undefined;
    const cell = this.#lookup(to);
    if (cell === undefined || cell.stopping !== undefined) return this.#gone(to, cell);
    const refused = cell.offer(name, payload, origin, bytes);
    return refused === undefined
      ? undefined
      : { reason: refusalReason(refused), type: cell.def.type };
  }

  /**
   * Delivers an ask that arrived from another host. Its reply (or the typed
   * error of a refusal) goes to `reply`; the asker holds the only deadline,
   * and an ask it no longer waits for when its turn comes is skipped.
   *
   * @param bytes The size of its envelope on the wire (it counts against the mailbox's `maxBytes`).
   * @param sender The host it came from (the entity registry uses it to tell a message that the shard's holder sent back).
   * @returns `undefined` when it was queued, else why it was refused.
   */
  deliverAsk(
    to: string,
    name: string,
    payload: unknown,
    reply: ReplyTarget,
    bytes: number,
    sender?: string,
  ): Refusal | undefined {
    if (this.#toEntity(to, name, payload, reply, bytes, sender)) return undefined;
    const cell = this.#lookup(to);
    if (cell === undefined || cell.stopping !== undefined) {
      const refusal = this.#gone(to, cell);
      reply.reject(
        refusal.reason !== "actor-stopped"
          ? new UnknownActorError(to)
          : cell !== undefined
          ? stoppedError(cell, name)
          : stoppedErrorOf(to, name, this.#runtime.deaths.last(to)),
      );
      return refusal;
    }
    const refused = cell.offer(name, payload, reply, bytes);
    return refused === undefined
      ? undefined
      : { reason: refusalReason(refused), type: cell.def.type };
  }

  /**
   * Spawns a top-level actor here.
   *
   * @param restarts For a supervisor's child on another host: how many
   *   times that child was restarted before (its restart count goes on).
   * @param requester The host that asked (its key claims are checked against it).
   * @returns Its ref.
   */
  spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> | undefined,
    restarts = 0,
    requester?: string,
  ): BaseRef {
    const cell = this.#runtime.spawn(definition, options, undefined, undefined, requester);
    if (restarts > 0) cell.incarnation = restarts;
    return cell.ref;
  }

  /** This host's id. */
  get hostId(): string {
    return this.#runtime.hostId;
  }

  /** Turns a serialized ref into a working ref: local, remote, or one whose sends are dead letters. */
  resolveRef(serialized: SerializedRef): BaseRef {
    return this.#runtime.resolveRef(serialized);
  }

  /** Whether a live (not stopping) actor of this host has this id. */
  isLive(id: string): boolean {
    const cell = this.#runtime.cellById(id);
    return cell !== undefined && cell.stopping === undefined;
  }

  /** The live (not stopping) actor with this name, or `undefined`. */
  liveByName(name: string): BaseRef | undefined {
    const cell = this.#runtime.cellByName(name);
    return cell === undefined || cell.stopping !== undefined ? undefined : cell.ref;
  }

  /**
   * The other host whose spawn request made this live actor of this host;
   * `undefined` for one this host's own program (or a parent here) spawned.
   */
  requesterOf(id: string): string | undefined {
    const cell = this.#runtime.cellById(id);
    return cell === undefined || cell.stopping !== undefined ? undefined : cell.requester;
  }

  /** The live persistent actor that holds this persistence key, if any. */
  liveByPersistKey(key: string): BaseRef | undefined {
    const cell = this.#runtime.cellByPersistKey(key);
    return cell === undefined || cell.stopping !== undefined ? undefined : cell.ref;
  }

  /**
   * Stops an actor of this host for good, without telling a supervisor
   * elsewhere (the request came from there, or it is gone), within its own
   * shutdown budget or the one the request gives.
   *
   * @param id The actor.
   * @param reason Why it stops.
   * @param timeoutMs How long its turn and `onStop` may take (default: its own budget).
   * @returns Resolves once it stopped; at once when no such actor lives here.
   */
  stop(id: string, reason: ExitReason = STOPPED, timeoutMs?: number): Promise<void> {
    const cell = this.#runtime.cellById(id);
    if (cell === undefined) return Promise.resolve();
    // A supervisor waits for its subtree, whose actors each have their own budget (OTP: infinity).
    const budgetMs = timeoutMs ?? cell.shutdownTimeoutMs ??
      (cell.def.childExit === undefined ? this.#runtime.stopTimeoutMs : Infinity);
    return cell.stop(reason, this.#runtime.clock.now() + budgetMs, false);
  }

  /**
   * Calls `listener` once when the live actor with this id stops for good.
   *
   * @returns `false` (and never calls it) when no live actor of this host has the id.
   */
  whenGone(id: string, listener: (record: DeathRecord) => void): boolean {
    const cell = this.#runtime.cellById(id);
    if (cell === undefined || cell.stopping !== undefined) return false;
    (cell.watchers ??= new Set()).add(listener);
    return true;
  }

  /** The counters of an actor of this host, or `undefined` when no live actor has the id. */
  stats(id: string): ActorStats | undefined {
    return this.#runtime.cellById(id)?.stats();
  }

  /** A child that a supervisor of this host keeps on another host ended there. */
  remoteChildExited(supervisorId: string, childId: string, reason: ExitReason): void {
    const supervisor = this.#runtime.cellById(supervisorId);
    if (supervisor?.def.childExit !== undefined) onRemoteChildExit(supervisor, { childId, reason });
  }

  /** Another host is gone: every supervisor here checks for children there. */
  hostGone(hostId: string, reason: "lost" | "left"): void {
    this.#runtime.objectHostGone(hostId);
    for (const supervisor of this.#runtime.supervisors()) {
      onHostGone(supervisor, { hostId, reason });
    }
  }

  /**
   * This host's part of an inspection, at once: it blocks the event loop for
   * about a microsecond per actor, so only displays use it.
   */
  snapshot(context: HostContext, recent: number, listLimit = Infinity): HostSnapshot {
    return snapshotHost(this.#runtime, context, recent, listLimit);
  }

  /** This host's part of an inspection, gathered in slices that yield to the event loop. */
  snapshotInSlices(
    context: HostContext,
    recent: number,
    listLimit = Infinity,
  ): Promise<HostSnapshot> {
    return snapshotHostInSlices(this.#runtime, context, recent, listLimit);
  }

  /** This host's answer to a page request, in slices that yield to the event loop. */
  pageInSlices(context: HostContext, query: HostActorQuery): Promise<HostActorPage> {
    return pageHostInSlices(this.#runtime, context, query);
  }

  /**
   * Hands a message for an entity address of this host to the entity
   * registry, which answers refusals through `via` itself.
   *
   * @returns Whether `to` was such an address.
   */
  #toEntity(
    to: string,
    name: string,
    payload: unknown,
    via: ReplyTarget | TellOrigin,
    bytes: number,
    sender: string | undefined,
  ): boolean {
    const id = entityIdOn(to, this.#runtime.hostId);
    return id !== undefined &&
      this.#runtime.entities.deliver(id, name, payload, via, bytes, sender);
  }

  #lookup(id: string): Cell | undefined {
    const last = this.#last;
    if (last !== undefined && last.id === id && last.cell.stopping === undefined) return last.cell;
    const cell = this.#runtime.cellById(id);
    if (cell !== undefined) this.#last = { id, cell };
    return cell;
  }

  #gone(id: string, cell: Cell | undefined): Refusal {
    const record = this.#runtime.deaths.last(id);
    return {
      reason: cell !== undefined || record !== undefined ? "actor-stopped" : "unknown-actor",
      type: cell?.def.type ?? record?.actor.type,
    };
  }
}
