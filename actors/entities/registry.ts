/**
 * The entities of one host: which are resident here, the messages held for
 * each while its shard is claimed or handed off and while it activates or
 * passivates, idle passivation, the per-host cap (least recently used
 * passivated first) and shard moves. Every message for an entity of this
 * host comes through {@linkcode EntityRegistry.deliver}, from a local entity
 * ref or from another host; it is queued in order, held (bounded), forwarded
 * to the host that holds the entity's shard, or refused with a typed error
 * through its reply target or tell origin. Never dropped.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { DeathRecord } from "../observe/death_records.ts";
import type { EntityHost } from "./host.ts";
import type { ReplyTarget } from "../ask.ts";
import type { ActorStats } from "../ref.ts";
import type { ClaimResult } from "./claims.ts";
import type { Shard } from "./shard_table.ts";
import type { EntityCounts } from "./entity_counts.ts";
import type { TellOrigin } from "../ask.ts";
import { definitionOf } from "../_registry.ts";
import { STOPPED } from "../exit_reason.ts";
import { MailboxFullError, SystemStoppedError, UnknownActorError } from "../errors.ts";
import { type EntityClaims, SOLO_CLAIMS } from "./claims.ts";
import { entityId, entityPersistKey, parseEntityId } from "./address.ts";
import { DEFAULT_MAX_RESIDENT_ENTITIES, resolveEntityOptions } from "./entity_options.ts";
import { describeError } from "../../base/errors.ts";
import { type Activation, type Held, offer, refuse } from "./activation.ts";
import { ShardTable } from "./shard_table.ts";
import { idle, leastRecentlyUsed, sweepIdle, SweepTimer } from "./sweep.ts";
import { shardOfId } from "./shards.ts";
import { forward } from "./forward.ts";
import { ShardMoves } from "./shard_moves.ts";
import { LeaveWaits } from "./leave.ts";
import { ShardRoutes } from "./routes.ts";
import { ClaimAhead } from "./claim_ahead.ts";
import { KnownEntities } from "./known.ts";
import { Settling } from "./settling.ts";

export type { EntityCounts };

/** The entities of one host. */
export class EntityRegistry {
  readonly #runtime: EntityHost;
  /** Every entity this host knows of now, in use order. */
  readonly #known = new KnownEntities();
  /** The known entities of each shard, for a hand-off. */
  readonly #members = new Map<Shard, Set<Activation>>();
  readonly #shards: ShardTable;
  /** Shards whose resident entities passivate (handed off, or found held by another host). */
  readonly #draining = new Set<Shard>();
  /** The last standing heard of each other host. */
  readonly #standings = new Map<string, "up" | "suspect" | "gone">();
  #resident = 0;
  #activations = 0;
  #passivations = 0;
  #evictions = 0;
  readonly #sweep: SweepTimer;
  /** The arbiter of shards: this host alone until the system joins a cluster. */
  claims: EntityClaims = SOLO_CLAIMS;
  /** The most entities resident at once; more activations passivate the least recently used. */
  maxResident: number = DEFAULT_MAX_RESIDENT_ENTITIES;
  /** Which shards move to hosts that came up, at a bounded rate. */
  readonly moves: ShardMoves;
  /** Set while this host leaves: it claims no shard, and relays every message to the shard's next host. */
  #leaving = false;
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
    this.#sweep = new SweepTimer(
      () => runtime.clock,
      (elapsedMs) => {
        this.moves.tick(elapsedMs);
        for (const shard of [...this.#draining]) this.#drain(shard);
        const passivate = (a: Activation) => this.#passivate(a);
        sweepIdle(this.#known, runtime.clock.now(), passivate, (a) => this.#forget(a));
      },
      () =>
        (this.#known.size > 0 || this.moves.pending) &&
        (runtime.status === "running" || this.#leaving),
    );
  }

  /** Counters for inspection. */
  counts(): EntityCounts {
    return {
      resident: this.#resident,
      activations: this.#activations,
      passivations: this.#passivations,
      evictions: this.#evictions,
      moves: this.moves.count,
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
    const activation = this.#known.get(id);
    if (activation === undefined) return this.#deliverNew(id, name, payload, via, bytes);
    if (this.#runtime.status !== "running" && !this.#leaving) {
      const error = new SystemStoppedError(this.#runtime.hostId);
      refuse(via, id, activation.type, name, payload, error);
      return true;
    }
    this.#known.touch(activation);
    activation.lastUsedMs = this.#runtime.clock.now();
    const cell = activation.cell;
    if (
      activation.phase === "active" && cell!.stopping === undefined &&
      !this.#draining.has(activation.shard)
    ) {
      // The common case, without a record of the message.
      offer(activation, cell!, name, payload, via, bytes);
      return true;
    }
    if (activation.phase === "forwarding" && from !== undefined) this.#forwarded(activation, from);
    this.#route(activation, { name, payload, via, bytes });
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
    if (this.#runtime.status !== "running" && !this.#leaving) {
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
    const activation: Activation = {
      id,
      type,
      key,
      definition,
      options,
      shard,
      phase: "claiming",
      cell: undefined,
      holder: undefined,
      held: [],
      lastUsedMs: this.#runtime.clock.now(),
      older: undefined,
      newer: undefined,
    };
    this.#known.add(activation);
    const members = this.#members.get(shard) ?? this.#members.set(shard, new Set()).get(shard)!;
    members.add(activation);
    this.#sweep.noteIdleMs(options.idleMs);
    this.#route(activation, { name, payload, via, bytes });
    this.#claim(activation, false);
    this.claimAhead.noteType(type, options.labels);
    return true;
  }

  /**
   * A message from another host reached an activation that forwards. It
   * follows the messages before it to the same holder while that holder is
   * up here: a read of the claim now could find the shard just released,
   * activate the entity here and handle this message before those come back.
   * Sent by the holder itself, one of the two views is stale: the host that
   * owns the shard by its view reads the claim again (and takes it when it
   * is free); any other sends it, and what follows, to that owner, not back
   * (a host that has just handed the shard off must not take it back, and
   * two stale hosts must not bounce it between them). When that owner is the
   * holder that sent it back, the holder gives the shard up although this
   * view still has it own it (it is leaving): the claim is read again here,
   * unless this host handed the shard to that holder itself. A holder not up
   * here may be gone: the claim is read again.
   */
  #forwarded(activation: Activation, from: string): void {
    const holder = activation.holder!;
    if (this.#standings.get(holder) !== "up") return this.#claim(activation, true);
    if (from !== holder) return;
    const shard = activation.shard;
    let owner: string;
    try {
      owner = this.routes.owner(shard.type, shard.index, shard.labels);
    } catch {
      return this.#claim(activation, true);
    }
    if (owner === this.#runtime.hostId) return this.#claim(activation, true);
    if (owner === from && shard.handedTo !== from) return this.#claim(activation, true);
    activation.holder = owner;
  }

  #route(activation: Activation, held: Held): void {
    switch (activation.phase) {
      case "active": {
        const cell = activation.cell!;
        if (this.#draining.has(activation.shard)) return this.#hold(activation, held);
        if (cell.stopping === undefined) {
          return offer(activation, cell, held.name, held.payload, held.via, held.bytes);
        }
        activation.phase = "passivating";
        return this.#hold(activation, held);
      }
      case "claiming":
      case "passivating":
        return this.#hold(activation, held);
      case "forwarding": {
        const relay = forward(this.#runtime, activation, activation.holder!, held);
        if (relay !== undefined) this.#leave.relay(relay);
        return;
      }
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

  /** Asks the shard table where the activation runs (at once when its shard is trusted). */
  #claim(activation: Activation, fresh: boolean): void {
    activation.phase = "claiming";
    const phase = activation.shard.phase;
    if (this.#leaving && phase !== "handing-off" && phase !== "mine") {
      const to = this.#successor(activation.shard);
      const outcome = to === undefined
        ? new SystemStoppedError(this.#runtime.hostId)
        : { kind: "held" as const, hostId: to };
      return this.#claimed(activation, outcome);
    }
    this.#shards.acquire(activation.shard, fresh, (outcome) => this.#claimed(activation, outcome));
  }

  #claimed(activation: Activation, outcome: ClaimResult | Error): void {
    if (!this.#known.holds(activation) || activation.phase !== "claiming") return;
    if (outcome instanceof Error) return this.#fail(activation, outcome);
    if (outcome.kind === "mine") return this.#activate(activation);
    const shard = activation.shard;
    // This host's view was stale: another host holds a shard with entities resident here.
    if (shard.resident > 0 && !this.#draining.has(shard)) this.#drain(shard);
    activation.phase = "forwarding";
    activation.holder = outcome.hostId;
    activation.lastUsedMs = this.#runtime.clock.now();
    this.#flush(activation);
    this.#sweep.schedule();
  }

  #activate(activation: Activation): void {
    if (this.#runtime.status !== "running") {
      return this.#fail(activation, new SystemStoppedError(this.#runtime.hostId));
    }
    if (this.#resident >= this.maxResident) {
      const victim = leastRecentlyUsed(this.#known);
      if (victim !== undefined) {
        this.#evictions++;
        this.#passivate(victim);
      }
    }
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
    activation.shard.resident++;
    this.#resident++;
    this.#activations++;
    // What its mailbox still holds when it stops (fenced, failed in a turn,
    // passivated with messages queued) comes back to be routed again, before
    // what was held meanwhile: an entity's messages outlive one activation.
    // Not when it failed to start (its state held elsewhere, say): another
    // activation would fail alike, so they are refused with why.
    const returned: Held[] = [];
    cell.handBack = (name, payload, via, bytes) => {
      if (failedToStart(cell.finalRecord)) return false;
      returned.push({ name, payload, via, bytes });
      return true;
    };
    (cell.watchers ??= new Set()).add((record) =>
      this.#stopped(activation, cell, returned, record.kind === "error")
    );
    this.#flush(activation);
    this.#sweep.schedule();
  }

  #flush(activation: Activation): void {
    const held = activation.held;
    activation.held = [];
    for (const message of held) this.#route(activation, message);
  }

  #forget(activation: Activation): void {
    if (!this.#known.holds(activation)) return;
    this.#known.remove(activation);
    this.#members.get(activation.shard)?.delete(activation);
  }

  #fail(activation: Activation, error: unknown): void {
    this.#forget(activation);
    const err = error instanceof Error ? error : new Error(describeError(error).message);
    const held = activation.held;
    activation.held = [];
    for (const m of held) refuse(m.via, activation.id, activation.type, m.name, m.payload, err);
  }

  /**
   * Its cell stopped; what its mailbox returned and what was held meanwhile
   * go where the shard is now. After a failure (a fenced state, say) the
   * shard's claim is read again rather than trusted: another host may hold it.
   */
  #stopped(activation: Activation, cell: Cell, returned: Held[], failed: boolean): void {
    if (activation.cell !== cell) {
      for (const message of returned) this.#route(activation, message);
      return;
    }
    if (returned.length > 0) activation.held = returned.concat(activation.held);
    const shard = activation.shard;
    activation.cell = undefined;
    shard.resident--;
    this.#resident--;
    if (this.#runtime.status !== "running" && !this.#leaving) {
      this.#fail(activation, new SystemStoppedError(this.#runtime.hostId));
    } else if (activation.held.length === 0) {
      this.#forget(activation);
    } else {
      this.#claim(activation, failed);
    }
    if (shard.resident === 0 && this.#draining.delete(shard) && shard.phase === "handing-off") {
      void this.#shards.finishHandOff(shard).then(() => this.#leave.changed());
    }
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
      this.#sweep.schedule();
      return;
    }
    if (standing !== "gone") return;
    const held: Activation[] = [];
    for (const activation of this.#known.all()) {
      if (activation.phase !== "forwarding" || activation.holder !== hostId) continue;
      if (!settles) {
        this.#forget(activation);
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
      if (!this.#known.holds(activation) || activation.phase !== "claiming") {
        continue;
      }
      if (activation.held.length === 0) this.#forget(activation);
      else this.#claim(activation, false);
    }
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
    this.#leaving = true;
    let handed = 0;
    for (const shard of this.#shards.mine()) {
      const to = this.#successor(shard);
      if (to === undefined) continue;
      handed++;
      this.#handOff(shard, to);
    }
    await this.#leave.until(() => this.#shards.handingOff() === 0, deadlineMs);
    return handed;
  }

  /** This host said goodbye: what reaches it now is refused (its sender hears why), not relayed. */
  stopRelaying(): void {
    this.#leaving = false;
  }

  /**
   * Resolves when every ask this host relayed to another was answered, or at
   * `deadlineMs`: a leaving host closes after that, not before.
   */
  relaysAnswered(deadlineMs: number): Promise<void> {
    return this.#leave.until(() => this.#leave.relayed, deadlineMs);
  }

  /** The host that owns a shard once this one is gone, if any qualifies. */
  #successor(shard: Shard): string | undefined {
    try {
      const to = this.#runtime.remote.chooseHost(
        { kind: "hash", key: shard.name, labels: shard.labels },
        this.#runtime.hostId,
      );
      return to === this.#runtime.hostId ? undefined : to;
    } catch {
      return undefined;
    }
  }

  /** Hands a shard of this host to `to`: its entities passivate, then its claim is released. */
  #handOff(shard: Shard, to: string): void {
    this.#shards.startHandOff(shard, to);
    if (shard.resident === 0) {
      return void this.#shards.finishHandOff(shard).then(() => this.#leave.changed());
    }
    this.#drain(shard);
  }

  /** Passivates a shard's resident entities as each becomes idle; messages for them are held. */
  #drain(shard: Shard): void {
    this.#draining.add(shard);
    for (const activation of this.#members.get(shard) ?? []) {
      if (idle(activation)) this.#passivate(activation);
    }
    this.#sweep.schedule();
  }

  /** Passivates one activation: it finishes its turn and stops; held messages wait for what is next. */
  #passivate(activation: Activation): void {
    const cell = activation.cell;
    if (activation.phase !== "active" || cell === undefined) return;
    activation.phase = "passivating";
    this.#passivations++;
    void cell.stop(STOPPED, this.#runtime.clock.now() + this.#runtime.stopTimeoutMs, false);
  }
}

/** Whether an activation's death was a failed start (`init`, `onStart` or its state's load). */
function failedToStart(record: DeathRecord | undefined): boolean {
  return record !== undefined && record.kind === "error" && record.messageName === undefined;
}
