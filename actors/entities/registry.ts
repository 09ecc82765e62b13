/**
 * The entities of one host: which are resident here, the messages held for
 * each while it activates, passivates or moves, idle passivation and the
 * per-host cap (least recently used passivated first). Every message for an
 * entity of this host comes through {@linkcode EntityRegistry.deliver}, from
 * a local entity ref or from another host; it is queued in order, held
 * (bounded), forwarded to the host that holds the entity, or refused with a
 * typed error through its reply target or tell origin. Never dropped.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { EntityHost } from "./host.ts";
import type { ReplyTarget } from "../ask.ts";
import type { ActorDefinition } from "../definition.ts";
import type { TimerHandle } from "../../base/clock.ts";
import type { ActorStats, UntypedRef } from "../ref.ts";
import { TellOrigin } from "../ask.ts";
import { definitionOf } from "../_registry.ts";
import { STOPPED } from "../exit_reason.ts";
import { MailboxFullError, SystemStoppedError, UnknownActorError } from "../errors.ts";
import { type EntityClaims, SOLO_CLAIMS } from "./claims.ts";
import { entityAddress, entityId, entityPersistKey } from "./address.ts";
import {
  DEFAULT_MAX_RESIDENT_ENTITIES,
  DEFAULT_MOVES_PER_SECOND,
  type ResolvedEntityOptions,
  resolveEntityOptions,
} from "./entity_options.ts";
import { describeError } from "../../base/errors.ts";
import type { EntityCounts } from "./entity_counts.ts";

export type { EntityCounts };

/** One message on its way to an entity: a tell's origin or an ask's reply target. */
interface Held {
  readonly name: string;
  readonly payload: unknown;
  readonly via: ReplyTarget | TellOrigin;
  readonly bytes: number;
}

/**
 * Where one entity's activation on this host is:
 * - `"claiming"`: asking the arbiter; messages are held;
 * - `"active"`: resident; messages go to its mailbox;
 * - `"passivating"`: stopping; messages are held for the next activation;
 * - `"forwarding"`: another live host holds it; messages go there.
 */
type Phase = "claiming" | "active" | "passivating" | "forwarding";

interface Activation {
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly definition: ActorDefinition<unknown, unknown, unknown>;
  readonly options: ResolvedEntityOptions;
  phase: Phase;
  cell: Cell | undefined;
  holder: string | undefined;
  held: Held[];
  lastUsedMs: number;
  /** The host it hands off to, while it passivates to move there. */
  movingTo: string | undefined;
}

/** How long this host forwards to another host's activation before asking the arbiter again. */
const FORWARD_FOR_MS = 2_000;
/** The longest pause between two idle sweeps. */
const MAX_SWEEP_MS = 1_000;

/** The entities of one host. */
export class EntityRegistry {
  readonly #runtime: EntityHost;
  /** Every entity this host knows of now, least recently used first. */
  readonly #known = new Map<string, Activation>();
  #resident = 0;
  #activations = 0;
  #passivations = 0;
  #evictions = 0;
  #sweep: TimerHandle | undefined;
  /** The shortest idle time of the types seen, so that the sweep comes often enough. */
  #shortestIdleMs = Infinity;
  /** The arbiter of activations: this host alone until the system joins a cluster. */
  claims: EntityClaims = SOLO_CLAIMS;
  /** The most entities resident at once; more activations passivate the least recently used. */
  maxResident: number = DEFAULT_MAX_RESIDENT_ENTITIES;
  /** How many entities a rebalance hands off per second at most, so that a join causes no storm. */
  movesPerSecond: number = DEFAULT_MOVES_PER_SECOND;
  /** Whether resident entities whose key now hashes to another host are being handed off. */
  #rebalancing = false;
  #moves = 0;

  /** @param runtime The host's runtime. */
  constructor(runtime: EntityHost) {
    this.#runtime = runtime;
  }

  /** Counters for inspection. */
  counts(): EntityCounts {
    return {
      resident: this.#resident,
      activations: this.#activations,
      passivations: this.#passivations,
      evictions: this.#evictions,
      moves: this.#moves,
    };
  }

  /** The counters of an entity's activation when it is resident here. */
  stats(type: string, key: string): ActorStats | undefined {
    const cell = this.#known.get(entityId(type, key))?.cell;
    return cell === undefined ? undefined : { ...cell.stats(), id: entityId(type, key) };
  }

  /**
   * Delivers a message to an entity of this host, activating it when it has
   * none. A refusal goes through `via`: an ask's reply target rejects, a
   * tell's origin records (or sends back) its dead letter.
   *
   * @param fromHost Whether the message came from another host.
   */
  deliver(
    type: string,
    key: string,
    name: string,
    payload: unknown,
    via: ReplyTarget | TellOrigin,
    bytes: number,
    fromHost = false,
  ): void {
    const id = entityId(type, key);
    let activation = this.#known.get(id);
    const now = this.#runtime.clock.now();
    if (activation === undefined) {
      if (this.#runtime.status !== "running") {
        return refuse(via, id, type, name, payload, new SystemStoppedError(this.#runtime.hostId));
      }
      const definition = definitionOf(type);
      if (definition === undefined || definition.spec.entity === undefined) {
        return refuse(via, id, type, name, payload, new UnknownActorError(id));
      }
      activation = {
        id,
        type,
        key,
        definition,
        options: resolveEntityOptions(definition.spec.entity),
        phase: "claiming",
        cell: undefined,
        holder: undefined,
        held: [],
        lastUsedMs: now,
        movingTo: undefined,
      };
      this.#known.set(id, activation);
      this.#shortestIdleMs = Math.min(this.#shortestIdleMs, activation.options.idleMs);
      this.#claim(activation);
    } else {
      // Map order is use order: the least recently used is evicted first.
      this.#known.delete(id);
      this.#known.set(id, activation);
      activation.lastUsedMs = now;
      // A message another host forwarded here while this host forwards to
      // it: one of the two views is stale, so ask the arbiter again rather
      // than send it back (two stale hosts would bounce it between them).
      if (activation.phase === "forwarding" && fromHost) this.#claim(activation);
    }
    this.#route(activation, { name, payload, via, bytes });
  }

  #route(activation: Activation, held: Held): void {
    switch (activation.phase) {
      case "active": {
        const cell = activation.cell!;
        if (cell.stopping === undefined) return offer(activation, cell, held);
        activation.phase = "passivating";
        return this.#hold(activation, held);
      }
      case "claiming":
      case "passivating":
        return this.#hold(activation, held);
      case "forwarding":
        return this.#forward(activation, held);
      default: {
        const unknown: never = activation.phase;
        throw new Error(`unknown entity phase ${unknown}`);
      }
    }
  }

  #hold(activation: Activation, held: Held): void {
    if (activation.held.length >= activation.options.maxBuffered) {
      const error = new MailboxFullError(activation.id, activation.options.maxBuffered, held.name);
      return refuse(held.via, activation.id, activation.type, held.name, held.payload, error);
    }
    activation.held.push(held);
  }

  #claim(activation: Activation): void {
    activation.phase = "claiming";
    this.claims.claim(activation.type, activation.key).then(
      (result) => {
        if (this.#known.get(activation.id) !== activation) return;
        if (result.kind === "held" && result.hostId !== this.#runtime.hostId) {
          activation.phase = "forwarding";
          activation.holder = result.hostId;
          activation.lastUsedMs = this.#runtime.clock.now();
          this.#flush(activation);
          this.#schedule();
          return;
        }
        this.#activate(activation);
      },
      (err) => this.#fail(activation, err),
    );
  }

  #activate(activation: Activation): void {
    if (this.#runtime.status !== "running") {
      return this.#fail(activation, new SystemStoppedError(this.#runtime.hostId));
    }
    if (this.#resident >= this.maxResident) this.#evict();
    let cell: Cell;
    try {
      cell = this.#runtime.spawn(activation.definition, {
        args: activation.key,
        persistKey: entityPersistKey(activation.type, activation.key),
      }, undefined);
    } catch (err) {
      return this.#fail(activation, err);
    }
    activation.cell = cell;
    activation.phase = "active";
    this.#resident++;
    this.#activations++;
    (cell.watchers ??= new Set()).add(() => this.#stopped(activation, cell));
    this.#flush(activation);
    this.#schedule();
  }

  #flush(activation: Activation): void {
    const held = activation.held;
    activation.held = [];
    for (const message of held) this.#route(activation, message);
  }

  #forward(activation: Activation, held: Held): void {
    const ref = this.#runtime.remote.resolve({
      $ref: entityAddress(activation.holder!, activation.type, activation.key) as never,
      type: activation.type,
    }) as UntypedRef | undefined;
    if (ref === undefined) {
      const error = new UnknownActorError(activation.id);
      return refuse(held.via, activation.id, activation.type, held.name, held.payload, error);
    }
    const via = held.via;
    if (via instanceof TellOrigin) {
      try {
        ref.tell(held.name, held.payload);
      } catch (err) {
        via.refused(activation.id, activation.type, held.name, held.payload, err as Error);
      }
      return;
    }
    if (via.settled) return;
    ref.ask(held.name, held.payload).then((value) => via.resolve(value), (err) => via.reject(err));
  }

  #fail(activation: Activation, error: unknown): void {
    if (this.#known.get(activation.id) === activation) this.#known.delete(activation.id);
    const err = error instanceof Error ? error : new Error(describeError(error).message);
    const held = activation.held;
    activation.held = [];
    for (const m of held) refuse(m.via, activation.id, activation.type, m.name, m.payload, err);
  }

  #stopped(activation: Activation, cell: Cell): void {
    if (activation.cell !== cell) return;
    activation.cell = undefined;
    this.#resident--;
    const release = this.claims.release(activation.type, activation.key).catch(() => {});
    const movingTo = activation.movingTo;
    activation.movingTo = undefined;
    if (this.#runtime.status !== "running") {
      if (this.#known.get(activation.id) === activation) this.#known.delete(activation.id);
      return this.#fail(activation, new SystemStoppedError(this.#runtime.hostId));
    }
    if (movingTo !== undefined) {
      // Handed off: once the claim is free, what came meanwhile (and what
      // comes from senders with an older view) goes to the new host, in order.
      activation.phase = "claiming";
      void release.then(() => {
        if (this.#known.get(activation.id) !== activation) return;
        activation.phase = "forwarding";
        activation.holder = movingTo;
        activation.lastUsedMs = this.#runtime.clock.now();
        this.#flush(activation);
      });
      return;
    }
    if (activation.held.length === 0) {
      if (this.#known.get(activation.id) === activation) this.#known.delete(activation.id);
      return;
    }
    // Messages came while it stopped: the next activation takes them, in order.
    activation.phase = "claiming";
    void release.then(() => this.#claim(activation));
  }

  /**
   * The cluster's view changed: a host that is gone no longer receives
   * forwarded messages (the next one claims again), and a host that came
   * up may own keys resident here (a rebalance hands them off, bounded).
   */
  hostChanged(hostId: string, up: boolean): void {
    if (up) {
      this.#rebalancing = true;
      if (this.#known.size > 0) this.#schedule();
      return;
    }
    for (const activation of [...this.#known.values()]) {
      if (activation.phase === "forwarding" && activation.holder === hostId) {
        this.#known.delete(activation.id);
      }
    }
  }

  /** Hands off up to `budget` idle resident entities whose key now hashes to another host. */
  #rebalance(budget: number): void {
    let misplaced = 0;
    for (const activation of this.#known.values()) {
      const cell = activation.cell;
      if (activation.phase !== "active" || cell === undefined) continue;
      let owner: string;
      try {
        owner = this.#runtime.remote.chooseHost({
          kind: "hash",
          key: activation.id,
          labels: activation.options.labels,
        });
      } catch {
        continue;
      }
      if (owner === this.#runtime.hostId) continue;
      misplaced++;
      if (budget <= 0 || cell.queued > 0 || cell.busy) continue;
      budget--;
      this.#moves++;
      activation.movingTo = owner;
      this.#passivate(activation);
    }
    if (misplaced === 0) this.#rebalancing = false;
  }

  /** Passivates one activation: it finishes its turn and stops; held messages wait for the next one. */
  #passivate(activation: Activation): void {
    const cell = activation.cell;
    if (activation.phase !== "active" || cell === undefined) return;
    activation.phase = "passivating";
    this.#passivations++;
    void cell.stop(STOPPED, this.#runtime.clock.now() + this.#runtime.stopTimeoutMs, false);
  }

  /** Passivates the least recently used idle activation, to stay within the cap. */
  #evict(): void {
    for (const activation of this.#known.values()) {
      const cell = activation.cell;
      if (
        activation.phase === "active" && cell !== undefined && cell.queued === 0 && !cell.busy
      ) {
        this.#evictions++;
        return this.#passivate(activation);
      }
    }
  }

  #schedule(): void {
    if (this.#sweep !== undefined) return;
    const clock = this.#runtime.clock;
    this.#sweep = clock.setTimeout(() => {
      this.#sweep = undefined;
      this.#sweepIdle();
      if (
        (this.#known.size > 0 || this.#rebalancing) && this.#runtime.status === "running"
      ) this.#schedule();
    }, this.#sweepMs());
    clock.keepAlive(this.#sweep, false);
  }

  #sweepMs(): number {
    return Math.max(10, Math.min(MAX_SWEEP_MS, FORWARD_FOR_MS, this.#shortestIdleMs / 2));
  }

  #sweepIdle(): void {
    const now = this.#runtime.clock.now();
    if (this.#rebalancing) {
      this.#rebalance(Math.max(1, Math.floor(this.movesPerSecond * this.#sweepMs() / 1_000)));
    }
    for (const activation of [...this.#known.values()]) {
      const idleMs = now - activation.lastUsedMs;
      if (activation.phase === "forwarding") {
        if (idleMs >= FORWARD_FOR_MS) this.#known.delete(activation.id);
        continue;
      }
      const cell = activation.cell;
      if (
        activation.phase === "active" && cell !== undefined &&
        idleMs >= activation.options.idleMs &&
        cell.queued === 0 && !cell.busy
      ) this.#passivate(activation);
    }
  }
}

/** Queues a message in a resident entity's mailbox; a refusal goes back through its `via`. */
function offer(activation: Activation, cell: Cell, held: Held): void {
  const refused = cell.offer(held.name, held.payload, held.via, held.bytes);
  // An ask's target was told by `offer`; a tell's origin hears it here.
  if (refused !== undefined && held.via instanceof TellOrigin) {
    held.via.refused(activation.id, activation.type, held.name, held.payload, refused);
  }
}

function refuse(
  via: ReplyTarget | TellOrigin,
  id: string,
  type: string,
  name: string,
  payload: unknown,
  error: Error,
): void {
  if (via instanceof TellOrigin) via.refused(id, type, name, payload, error);
  else via.reject(error);
}
