/**
 * The port through which a host's entity registry learns whether it may
 * activate the entities of a shard: in a cluster, a claim on the shard in
 * the shared state store is the arbiter (`cluster/entity_claims.ts`); a
 * system that joined no cluster is the only host, so every shard is its own.
 *
 * @module
 */

/**
 * The outcome of a claim:
 * - `"mine"`: this host holds the shard and may activate its entities;
 * - `"held"`: a live host holds it: messages go there.
 */
export type ClaimResult =
  | { readonly kind: "mine" }
  | { readonly kind: "held"; readonly hostId: string };

/** Claims on shards of entity types, held by hosts. */
export interface EntityClaims {
  /**
   * Claims a shard for this host, unless a live host holds it. When this
   * host holds it already, the claim only reads it (a verification).
   *
   * @throws When the arbiter cannot be reached (the activations waiting for
   *   the shard fail; their buffered messages are refused with the error).
   */
  claim(type: string, shard: number): Promise<ClaimResult>;
  /** Gives this host's claim on a shard up (after its entities stopped); errors are ignored. */
  release(type: string, shard: number): Promise<void>;
  /**
   * This host was declared lost and fences itself: the claims of its
   * current epoch are void (another host may take them over now), and it
   * claims nothing until it rejoins with a new epoch.
   */
  fenced?(): void;
}

/** The claims of a system that joined no cluster: every shard is this host's. */
export const SOLO_CLAIMS: EntityClaims = {
  claim: () => Promise.resolve({ kind: "mine" }),
  release: () => Promise.resolve(),
};
