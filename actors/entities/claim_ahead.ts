/**
 * Claiming ahead: the first activation of an entity type on a host starts
 * claiming, in the background, every other shard of the type that this
 * host owns by its view (a few lanes at a time). Without it, the first
 * message to a key in each not yet claimed shard waits for the claim's store
 * round trips (a read, then a compare-and-set) before its entity can even
 * start; with it, nearly every first message finds its shard held here and
 * is decided without the store. The claims are the same ones the messages
 * would have taken (`shard_table.ts`), so the single-activation rules do not
 * change; a shard another host holds is only read.
 *
 * @module
 */

import type { Labels } from "../placement.ts";
import type { EntityHost } from "./host.ts";
import type { Shard, ShardTable } from "./shard_table.ts";
import type { ShardRoutes } from "./routes.ts";
import { SOLO_CLAIMS } from "./claims.ts";
import { SHARDS_PER_TYPE } from "./shards.ts";

/** How many claims of one type are in flight at once. */
export const CLAIM_AHEAD_LANES = 8;

/** The types whose shards this host has claimed ahead. */
export class ClaimAhead {
  readonly #runtime: EntityHost;
  readonly #shards: ShardTable;
  readonly #routes: ShardRoutes;
  readonly #types = new Set<string>();
  /** Claims started ahead so far (for tests and inspection). */
  started = 0;

  /**
   * @param runtime The host's runtime.
   * @param shards The host's shard table.
   * @param routes The host's cached shard owners.
   */
  constructor(runtime: EntityHost, shards: ShardTable, routes: ShardRoutes) {
    this.#runtime = runtime;
    this.#shards = shards;
    this.#routes = routes;
  }

  /**
   * An activation of `type` starts here: the first time, claim the type's
   * other shards this host owns. Nothing happens without a cluster (every
   * shard is this host's at once) or when no host qualifies.
   */
  noteType(type: string, labels: Labels | undefined): void {
    const runtime = this.#runtime;
    if (this.#types.has(type) || runtime.entities.claims === SOLO_CLAIMS) return;
    this.#types.add(type);
    const wanted: Shard[] = [];
    for (let index = 0; index < SHARDS_PER_TYPE; index++) {
      let owner: string;
      try {
        owner = this.#routes.owner(type, index, labels);
      } catch {
        return;
      }
      if (owner === runtime.hostId) wanted.push(this.#shards.shard(type, index, labels));
    }
    let next = 0;
    const lane = async () => {
      while (next < wanted.length && runtime.status === "running") {
        const shard = wanted[next++];
        this.started++;
        // The outcome is the shard table's: mine, held elsewhere, or unknown after an error.
        await new Promise<unknown>((settled) => this.#shards.acquire(shard, false, settled));
      }
    };
    for (let i = 0; i < CLAIM_AHEAD_LANES; i++) void lane();
  }
}
