/**
 * The life of one host's entity activations: where a message for a known
 * entity goes (into its mailbox, held while it claims its shard, starts or
 * stops, or forwarded to the host that holds the shard), how an activation
 * claims its shard and starts, where its messages go when it stops (those
 * still in its mailbox are handed back and routed again, in order), idle
 * passivation, the per-host cap and the draining of shards. The registry
 * (`registry.ts`) makes activations, and answers deliveries and the
 * cluster's changes through it.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { DeathRecord } from "../observe/death_records.ts";
import type { EntityHost } from "./host.ts";
import type { ClaimResult } from "./claims.ts";
import type { Shard, ShardTable } from "./shard_table.ts";
import type { ShardRoutes } from "./routes.ts";
import type { LeaveWaits } from "./leave.ts";
import type { ReplyTarget, TellOrigin } from "../ask.ts";
import { STOPPED } from "../exit_reason.ts";
import { ActorStoppedError, MailboxFullError, SystemStoppedError } from "../errors.ts";
import { entityPersistKey } from "./address.ts";
import { describeError } from "../../base/errors.ts";
import { type Activation, type Held, offer, refuse } from "./activation.ts";
import { idle, leastRecentlyUsed, sweepIdle, SweepTimer } from "./sweep.ts";
import { forward } from "./forward.ts";
import { KnownEntities } from "./known.ts";

/** What the life of activations needs of its registry. */
export interface LifecycleParts {
  readonly runtime: EntityHost;
  readonly shards: ShardTable;
  readonly routes: ShardRoutes;
  readonly leave: LeaveWaits;
  /** The last standing heard of another host. */
  readonly standing: (hostId: string) => "up" | "suspect" | "gone" | undefined;
  /** The most entities resident at once. */
  readonly maxResident: () => number;
  /** More work for each sweep (shard moves), and whether it needs another. */
  readonly tick: (elapsedMs: number) => void;
  readonly pending: () => boolean;
}

/** The activations of one host and their life. */
export class Lifecycle {
  /** Every entity this host knows of now, in use order. */
  readonly known = new KnownEntities();
  /** The known entities of each shard, for a hand-off. */
  readonly members = new Map<Shard, Set<Activation>>();
  /** Shards whose resident entities passivate (handed off, or found held by another host). */
  readonly draining = new Set<Shard>();
  /** The periodic sweep: idle passivation, expired forwards, shard moves. */
  readonly sweep: SweepTimer;
  /** Set while this host leaves: it claims no shard, and relays every message to the shard's next host. */
  leaving = false;
  resident = 0;
  activations = 0;
  passivations = 0;
  evictions = 0;
  readonly #runtime: EntityHost;
  readonly #shards: ShardTable;
  readonly #routes: ShardRoutes;
  readonly #leave: LeaveWaits;
  readonly #standing: LifecycleParts["standing"];
  readonly #maxResident: () => number;

  /** @param parts What it needs of the registry. */
  constructor(parts: LifecycleParts) {
    const runtime = this.#runtime = parts.runtime;
    this.#shards = parts.shards;
    this.#routes = parts.routes;
    this.#leave = parts.leave;
    this.#standing = parts.standing;
    this.#maxResident = parts.maxResident;
    this.sweep = new SweepTimer(
      () => runtime.clock,
      (elapsedMs) => {
        parts.tick(elapsedMs);
        for (const shard of [...this.draining]) this.drain(shard);
        const passivate = (a: Activation) => this.passivate(a);
        sweepIdle(this.known, runtime.clock.now(), passivate, (a) => this.forget(a));
      },
      () =>
        (this.known.size > 0 || parts.pending()) &&
        (runtime.status === "running" || this.leaving),
    );
  }

  /** Makes a new activation known (it then claims its shard: {@linkcode Lifecycle.claim}). */
  add(activation: Activation): void {
    this.known.add(activation);
    const shard = activation.shard;
    const members = this.members.get(shard) ?? this.members.set(shard, new Set()).get(shard)!;
    members.add(activation);
    this.sweep.noteIdleMs(activation.options.idleMs);
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
  forwarded(activation: Activation, from: string): void {
    const holder = activation.holder!;
    if (this.#standing(holder) !== "up") return this.claim(activation, true);
    if (from !== holder) return;
    const shard = activation.shard;
    let owner: string;
    try {
      owner = this.#routes.owner(shard.type, shard.index, shard.labels);
    } catch {
      return this.claim(activation, true);
    }
    if (owner === this.#runtime.hostId) return this.claim(activation, true);
    if (owner === from && shard.handedTo !== from) return this.claim(activation, true);
    activation.holder = owner;
  }

  /**
   * Sends a message on by where the activation is: into its mailbox (no
   * record of the message is made: the common case), held, or forwarded.
   */
  route(
    activation: Activation,
    name: string,
    payload: unknown,
    via: ReplyTarget | TellOrigin,
    bytes: number,
  ): void {
    switch (activation.phase) {
      case "active": {
        const cell = activation.cell!;
        if (this.draining.has(activation.shard)) {
          return this.#hold(activation, { name, payload, via, bytes });
        }
        if (cell.stopping === undefined) return offer(activation, cell, name, payload, via, bytes);
        activation.phase = "passivating";
        return this.#hold(activation, { name, payload, via, bytes });
      }
      case "claiming":
      case "passivating":
        return this.#hold(activation, { name, payload, via, bytes });
      case "forwarding": {
        const held = { name, payload, via, bytes };
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
  claim(activation: Activation, fresh: boolean): void {
    activation.phase = "claiming";
    const phase = activation.shard.phase;
    if (this.leaving && phase !== "handing-off" && phase !== "mine") {
      const to = this.successor(activation.shard);
      const outcome = to === undefined
        ? new SystemStoppedError(this.#runtime.hostId)
        : { kind: "held" as const, hostId: to };
      return this.#claimed(activation, outcome);
    }
    this.#shards.acquire(activation.shard, fresh, (outcome) => this.#claimed(activation, outcome));
  }

  #claimed(activation: Activation, outcome: ClaimResult | Error): void {
    if (!this.known.holds(activation) || activation.phase !== "claiming") return;
    if (outcome instanceof Error) return this.#fail(activation, outcome);
    if (outcome.kind === "mine") return this.#activate(activation);
    const shard = activation.shard;
    // This host's view was stale: another host holds a shard with entities resident here.
    if (shard.resident > 0 && !this.draining.has(shard)) this.drain(shard);
    activation.phase = "forwarding";
    activation.holder = outcome.hostId;
    activation.lastUsedMs = this.#runtime.clock.now();
    this.#flush(activation);
    this.sweep.schedule();
  }

  #activate(activation: Activation): void {
    if (this.#runtime.status !== "running") {
      return this.#fail(activation, new SystemStoppedError(this.#runtime.hostId));
    }
    if (this.resident >= this.#maxResident()) {
      const victim = leastRecentlyUsed(this.known);
      if (victim !== undefined) {
        this.evictions++;
        this.passivate(victim);
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
    this.resident++;
    this.activations++;
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
    this.sweep.schedule();
  }

  #flush(activation: Activation): void {
    const held = activation.held;
    activation.held = [];
    for (const m of held) this.route(activation, m.name, m.payload, m.via, m.bytes);
  }

  /** Forgets an activation (the next message for its entity makes a new one). */
  forget(activation: Activation): void {
    if (!this.known.holds(activation)) return;
    this.known.remove(activation);
    this.members.get(activation.shard)?.delete(activation);
  }

  #fail(activation: Activation, error: unknown): void {
    this.forget(activation);
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
      // Not reached (an activation's cell changes only once it stopped), and never silent.
      for (const m of returned) {
        const error = new ActorStoppedError(activation.id, m.name, "its activation ended");
        refuse(m.via, activation.id, activation.type, m.name, m.payload, error);
      }
      return;
    }
    if (returned.length > 0) activation.held = returned.concat(activation.held);
    const shard = activation.shard;
    activation.cell = undefined;
    shard.resident--;
    this.resident--;
    if (this.#runtime.status !== "running" && !this.leaving) {
      this.#fail(activation, new SystemStoppedError(this.#runtime.hostId));
    } else if (activation.held.length === 0) {
      this.forget(activation);
    } else {
      this.claim(activation, failed);
    }
    if (shard.resident === 0 && this.draining.delete(shard) && shard.phase === "handing-off") {
      void this.#shards.finishHandOff(shard).then(() => this.#leave.changed());
    }
  }

  /** The host that owns a shard once this one is gone, if any qualifies. */
  successor(shard: Shard): string | undefined {
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

  /** Passivates a shard's resident entities as each becomes idle; messages for them are held. */
  drain(shard: Shard): void {
    this.draining.add(shard);
    for (const activation of this.members.get(shard) ?? []) {
      if (idle(activation)) this.passivate(activation);
    }
    this.sweep.schedule();
  }

  /** Passivates one activation: it finishes its turn and stops; held messages wait for what is next. */
  passivate(activation: Activation): void {
    const cell = activation.cell;
    if (activation.phase !== "active" || cell === undefined) return;
    activation.phase = "passivating";
    this.passivations++;
    void cell.stop(STOPPED, this.#runtime.clock.now() + this.#runtime.stopTimeoutMs, false);
  }
}

/** Whether an activation's death was a failed start (`init`, `onStart` or its state's load). */
function failedToStart(record: DeathRecord | undefined): boolean {
  return record !== undefined && record.kind === "error" && record.messageName === undefined;
}
