/**
 * The entities of one host: the door for every message to them, the
 * cluster's changes (hosts that come, go or leave, this host's own leave
 * and connection) and shard moves; the life of each activation (claims,
 * activation, holding, passivation, the per-host cap) is `lifecycle.ts`.
 * Every message for an entity of this host comes through
 * {@linkcode EntityRegistry.deliver}, from a local entity ref or from
 * another host; it is queued in order, held (bounded), forwarded to the
 * host that holds the entity's shard, or refused with a typed error through
 * its reply target or tell origin. Never dropped.
 *
 * @module
 */

import type { EntityHost } from "./host.ts";
import type { ReplyTarget, TellOrigin } from "../ask.ts";
import type { ActorStats } from "../ref.ts";
import type { Shard } from "./shard_table.ts";
import type { EntityCounts } from "./entity_counts.ts";
import { definitionOf } from "../_registry.ts";
import { SystemStoppedError, UnknownActorError } from "../errors.ts";
import { type EntityClaims, SOLO_CLAIMS } from "./claims.ts";
import { entityId, parseEntityId } from "./address.ts";
import { DEFAULT_MAX_RESIDENT_ENTITIES, resolveEntityOptions } from "./entity_options.ts";
import { type Activation, newActivation, refuse } from "./activation.ts";
import { ShardTable } from "./shard_table.ts";
import { shardOfId } from "./shards.ts";
import { ShardMoves } from "./shard_moves.ts";
import { LeaveWaits } from "./leave.ts";
import { ShardRoutes } from "./routes.ts";
import { ClaimAhead } from "./claim_ahead.ts";
import { Lifecycle } from "./lifecycle.ts";
import { Settling } from "./settling.ts";

export type { EntityCounts };

/** The entities of one host. */
export class EntityRegistry {
  readonly #runtime: EntityHost;
  readonly #life: Lifecycle;
  readonly #shards: ShardTable;
  /** The last standing heard of each other host. */
  readonly #standings = new Map<string, "up" | "suspect" | "gone">();
  /** The arbiter of shards: this host alone until the system joins a cluster. */
  claims: EntityClaims = SOLO_CLAIMS;
  /** The most entities resident at once; more activations passivate the least recently used. */
  maxResident: number = DEFAULT_MAX_RESIDENT_ENTITIES;
  /** Which shards move to hosts that came up, at a bounded rate. */
  readonly moves: ShardMoves;
  readonly #leave: LeaveWaits;
  /** Where this host sends each shard's messages (cached owners). */
  readonly routes: ShardRoutes;
  /** Claims the shards a type's first activation here will be followed by. */
  readonly claimAhead: ClaimAhead;
  /** Activations that forwarded to a host that left, holding their messages until it settles. */
  readonly #settling: Settling;

  /** @param runtime The host's runtime. */
  constructor(runtime: EntityHost) {
    this.#runtime = runtime;
    this.routes = new ShardRoutes(runtime);
    this.#shards = new ShardTable(() => runtime.clock.now(), () => this.claims);
    this.#leave = new LeaveWaits(() => runtime.clock);
    this.#settling = new Settling(() => runtime.clock);
    this.claimAhead = new ClaimAhead(runtime, this.#shards, this.routes);
    this.moves = new ShardMoves(runtime, this.#shards, (shard, to) => this.#handOff(shard, to));
    this.#life = new Lifecycle({
      runtime,
      shards: this.#shards,
      routes: this.routes,
      leave: this.#leave,
      standing: (hostId) => this.#standings.get(hostId),
      maxResident: () => this.maxResident,
      tick: (elapsedMs) => this.moves.tick(elapsedMs),
      pending: () => this.moves.pending,
    });
  }

  /** Counters for inspection. */
  counts(): EntityCounts {
    return {
      resident: this.#life.resident,
      activations: this.#life.activations,
      passivations: this.#life.passivations,
      evictions: this.#life.evictions,
      moves: this.moves.count,
    };
  }

  /** The counters of an entity's activation when it is resident here. */
  stats(type: string, key: string): ActorStats | undefined {
    const cell = this.#life.known.get(entityId(type, key))?.cell;
    return cell === undefined ? undefined : { ...cell.stats(), id: entityId(type, key) };
  }

  /**
   * Delivers a message to an entity of this host, activating it when it has
   * none. A refusal goes through `via`: an ask's reply target rejects, a
   * tell's origin records (or sends back) its dead letter.
   *
   * @param id The entity's id, `~<type>~<key>`; checked only when no
   *   activation has it (a known id was checked when it became known).
   * @param from The host it came from, when it came from another host.
   * @returns `false` when `id` is not an entity id (nothing was delivered or refused).
   */
  deliver(
    id: string,
    name: string,
    payload: unknown,
    via: ReplyTarget | TellOrigin,
    bytes: number,
    from?: string,
  ): boolean {
    const activation = this.#life.known.get(id);
    if (activation === undefined) return this.#deliverNew(id, name, payload, via, bytes);
    if (this.#runtime.status !== "running" && !this.#life.leaving) {
      const error = new SystemStoppedError(this.#runtime.hostId);
      refuse(via, id, activation.type, name, payload, error);
      return true;
    }
    this.#life.known.touch(activation);
    activation.lastUsedMs = this.#runtime.clock.now();
    if (activation.phase === "forwarding" && from !== undefined) {
      this.#life.forwarded(activation, from);
    }
    this.#life.route(activation, name, payload, via, bytes);
    return true;
  }

  /** The first message to an entity this host does not know now. */
  #deliverNew(
    id: string,
    name: string,
    payload: unknown,
    via: ReplyTarget | TellOrigin,
    bytes: number,
  ): boolean {
    const parsed = parseEntityId(id);
    if (parsed === undefined) return false;
    const { type, key } = parsed;
    if (this.#runtime.status !== "running" && !this.#life.leaving) {
      refuse(via, id, type, name, payload, new SystemStoppedError(this.#runtime.hostId));
      return true;
    }
    const definition = definitionOf(type);
    if (definition === undefined || definition.spec.entity === undefined) {
      refuse(via, id, type, name, payload, new UnknownActorError(id));
      return true;
    }
    const options = resolveEntityOptions(definition.spec.entity);
    const shard = this.#shards.shard(type, shardOfId(id), options.labels);
    const activation = newActivation(
      { id, type, key },
      definition,
      options,
      shard,
      this.#runtime.clock.now(),
    );
    this.#life.add(activation);
    this.#life.route(activation, name, payload, via, bytes);
    this.#life.claim(activation, false);
    this.claimAhead.noteType(type, options.labels);
    return true;
  }

  /**
   * The cluster's view changed: a shard held by a host that is gone is read
   * again (this host may take it over), held shards are trusted again only
   * after a read, and a host that came up may now own shards held here (a
   * rebalance hands them off, bounded). Activations that forwarded to a
   * host that left hold their messages until it settles (`settles`: it
   * answers the fence of a leave, cluster/leave_fences.ts); to a host that
   * is lost, they are forgotten (the next message reads the claim).
   */
  hostChanged(hostId: string, standing: "up" | "suspect" | "gone", settles = false): void {
    // A loaded host flips between alive and busy (both up) all the time: that
    // moves no shard, so it must not cost every shard a fresh read of its claim.
    if (this.#standings.get(hostId) === standing) return;
    this.#standings.set(hostId, standing);
    // The routes still name it: the entity refs of this host sent there lately.
    const routed = standing === "gone" && settles ? this.routes.routedTo(hostId) : [];
    this.routes.forget();
    this.#shards.viewChanged(hostId, standing === "suspect", standing === "gone");
    if (standing === "up") {
      this.moves.hostCameUp();
      this.#life.sweep.schedule();
      return;
    }
    if (standing !== "gone") return;
    const held: Activation[] = [];
    for (const activation of this.#life.known.all()) {
      if (activation.phase !== "forwarding" || activation.holder !== hostId) continue;
      if (!settles) {
        this.#life.forget(activation);
        continue;
      }
      // It waits, as while its claim is read: what comes is held, in order.
      activation.phase = "claiming";
      held.push(activation);
    }
    this.#settling.hold(hostId, held, routed, (a) => this.#settled(a));
  }

  /**
   * A host that left answered the fence of its leave: what this host sent it
   * was handled or relayed, so the messages held for its entities since go
   * where those entities are now, behind the relayed ones.
   */
  leaveSettled(hostId: string): void {
    this.#settled(this.#settling.take(hostId));
  }

  /**
   * Holds an entity ref's send to a shard this host routed to a host that
   * has just left, until that host settles (see `settling.ts`).
   *
   * @returns `"held"`, `"full"` (refuse it: too many held), or `"free"` (send it now).
   */
  holdSend(type: string, index: number, send: () => void): "held" | "full" | "free" {
    return this.#settling.holdSend(type, index, send);
  }

  /** Whether some shard's sends wait on a host that left (the entity refs' fast path: no). */
  get settling(): boolean {
    return this.#settling.holding;
  }

  #settled(activations: readonly Activation[]): void {
    for (const activation of activations) {
      if (!this.#life.known.holds(activation) || activation.phase !== "claiming") {
        continue;
      }
      if (activation.held.length === 0) this.#life.forget(activation);
      else this.#life.claim(activation, false);
    }
  }

  /**
   * This host was declared lost and fences itself: its claims are void, and
   * each shard is claimed again once it rejoins (until then, activations are
   * refused with `HostUnreachableError`, their messages with them).
   */
  fenced(): void {
    this.routes.forget();
    this.#shards.distrust();
    this.claims.fenced?.();
  }

  /**
   * This host's connection to the cluster changed: while it is cut off, and
   * once after, the shards it holds are read again before each activation
   * (its peers may have judged it lost and taken them over meanwhile).
   */
  connectionChanged(connected: boolean): void {
    this.routes.forget();
    this.#shards.viewChanged(this.#runtime.hostId, !connected, false);
  }

  /**
   * Hands every shard of this host to the host that owns it once this one
   * is gone, before this host announces that it leaves: each shard's
   * entities passivate (state saved) as they finish what they hold, then its
   * claim is released and the messages held meanwhile follow to the new
   * host, in order. From now on, messages for other shards are relayed too.
   * A shard no other host qualifies for stays, and its entities stop with
   * this host.
   *
   * @param deadlineMs When to stop waiting (the shutdown's deadline).
   * @returns How many shards it handed off.
   */
  async handOffAll(deadlineMs: number): Promise<number> {
    this.#life.leaving = true;
    let handed = 0;
    for (const shard of this.#shards.mine()) {
      const to = this.#life.successor(shard);
      if (to === undefined) continue;
      handed++;
      this.#handOff(shard, to);
    }
    await this.#leave.until(() => this.#shards.handingOff() === 0, deadlineMs);
    return handed;
  }

  /** This host said goodbye: what reaches it now is refused (its sender hears why), not relayed. */
  stopRelaying(): void {
    this.#life.leaving = false;
  }

  /**
   * Resolves when every ask this host relayed to another was answered, or at
   * `deadlineMs`: a leaving host closes after that, not before.
   */
  relaysAnswered(deadlineMs: number): Promise<void> {
    return this.#leave.until(() => this.#leave.relayed, deadlineMs);
  }

  /** Hands a shard of this host to `to`: its entities passivate, then its claim is released. */
  #handOff(shard: Shard, to: string): void {
    this.#shards.startHandOff(shard, to);
    if (shard.resident === 0) {
      return void this.#shards.finishHandOff(shard).then(() => this.#leave.changed());
    }
    this.#life.drain(shard);
  }
}
