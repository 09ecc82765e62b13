/**
 * Rebalancing: when a host comes up, the shards this host holds whose
 * rendezvous hash now names another host are handed to it, a bounded number
 * per second, so that a join moves load gradually and causes no storm.
 *
 * @module
 */

import type { EntityHost } from "./host.ts";
import type { Shard, ShardTable } from "./shard_table.ts";
import { DEFAULT_MOVES_PER_SECOND } from "./entity_options.ts";

/** The shard moves of one host. */
export class ShardMoves {
  readonly #runtime: EntityHost;
  readonly #shards: ShardTable;
  readonly #handOff: (shard: Shard, to: string) => void;
  /** Whether shards of this host may now hash to another host. */
  #pending = false;
  /** Moves not yet spent (fractions carry over between sweeps). */
  #budget = 0;
  /** How many shards a rebalance hands off per second at most. */
  movesPerSecond: number = DEFAULT_MOVES_PER_SECOND;
  /** Shards handed off so far. */
  count = 0;

  /**
   * @param runtime The host's runtime (its view chooses each shard's host).
   * @param shards The host's shard table.
   * @param handOff Starts handing one shard to a host.
   */
  constructor(
    runtime: EntityHost,
    shards: ShardTable,
    handOff: (shard: Shard, to: string) => void,
  ) {
    this.#runtime = runtime;
    this.#shards = shards;
    this.#handOff = handOff;
  }

  /** Whether a rebalance is under way. */
  get pending(): boolean {
    return this.#pending;
  }

  /** A host came up: shards held here may belong to it now. */
  hostCameUp(): void {
    this.#pending = true;
  }

  /**
   * Hands off up to the budget of `elapsedMs` of the shards held here that hash to another host.
   *
   * @param elapsedMs The time since the last tick.
   */
  tick(elapsedMs: number): void {
    if (!this.#pending) return;
    this.#budget = Math.min(
      this.movesPerSecond,
      this.#budget + this.movesPerSecond * elapsedMs / 1_000,
    );
    let misplaced = 0;
    for (const shard of this.#shards.mine()) {
      const owner = this.#owner(shard);
      if (owner === undefined || owner === this.#runtime.hostId) continue;
      misplaced++;
      if (this.#budget < 1) continue;
      this.#budget--;
      this.count++;
      this.#handOff(shard, owner);
    }
    if (misplaced === 0) this.#pending = false;
  }

  #owner(shard: Shard): string | undefined {
    try {
      return this.#runtime.remote.chooseHost({
        kind: "hash",
        key: shard.name,
        labels: shard.labels,
      });
    } catch {
      return undefined;
    }
  }
}
