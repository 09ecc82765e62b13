/**
 * The port through which a host's entity registry learns whether it may
 * activate an entity: in a cluster, a claim in the shared state store is the
 * arbiter (`cluster/entity_claims.ts`); a system that joined no cluster is
 * the only host, so every claim is its own.
 *
 * @module
 */

/**
 * The outcome of a claim:
 * - `"mine"`: this host may activate the entity;
 * - `"held"`: a live host holds it: messages go there.
 */
export type ClaimResult =
  | { readonly kind: "mine" }
  | { readonly kind: "held"; readonly hostId: string };

/** Claims on entities, held by hosts. */
export interface EntityClaims {
  /**
   * Claims an entity for this host, unless a live host holds it.
   *
   * @throws When the arbiter cannot be reached (the activation fails; its
   *   buffered messages are refused with the error).
   */
  claim(type: string, key: string): Promise<ClaimResult>;
  /** Gives a claim of this host up (after the activation stopped); errors are ignored. */
  release(type: string, key: string): Promise<void>;
}

/** The claims of a system that joined no cluster: every entity is this host's. */
export const SOLO_CLAIMS: EntityClaims = {
  claim: () => Promise.resolve({ kind: "mine" }),
  release: () => Promise.resolve(),
};
