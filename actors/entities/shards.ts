/**
 * Shards: the unit in which entities are placed, claimed and moved. The keys
 * of an entity type hash to a fixed number of shards; a shard's host is the
 * rendezvous hash of the shard (not of the key) over the live hosts with the
 * type's labels, and a host claims a shard once in the shared store. Every
 * activation inside a shard this host holds then needs no store round trip
 * for its claim (Akka Cluster Sharding, Orleans' grain directory
 * partitions). See docs/cluster.md, "Entities".
 *
 * @module
 */

import { entityId } from "./address.ts";

/**
 * Shards per entity type. Enough that a join spreads load evenly over
 * hundreds of hosts; few enough that claiming them all costs a host little.
 * Every host of a cluster must agree on it (it is part of the wire contract).
 */
export const SHARDS_PER_TYPE = 256;

/** The shard of an entity key: FNV-1a of the entity id, modulo the shard count. */
export function shardOf(type: string, key: string): number {
  return shardOfId(entityId(type, key));
}

/** The shard of an entity by its id (`~<type>~<key>`), for a caller that has the id already. */
export function shardOfId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS_PER_TYPE;
}

/** The name of a shard, `~<type>~#<index>`: its placement key and its claim's name. */
export function shardName(type: string, shard: number): string {
  return `~${type}~#${shard}`;
}
