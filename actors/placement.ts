/**
 * Where an actor may be spawned: the placement a spawn or a child spec asks
 * for, and the labels that narrow it. The cluster decides; a system that
 * joined no cluster takes every placement itself.
 *
 * @module
 */

/** A host's labels, e.g. `{ gpu: "1", zone: "a" }`. */
export type Labels = Readonly<Record<string, string>>;

/**
 * Where to spawn an actor:
 * - `"local"`: this host;
 * - `"host"`: the host with this id;
 * - `"spread"`: round robin over the eligible hosts;
 * - `"least-loaded"`: the eligible host with the fewest actors (then the
 *   shallowest mailboxes), as last announced;
 * - `"hash"`: the eligible host that a hash of `key` picks (rendezvous
 *   hashing: stable while the membership is stable, and only the keys of a
 *   host that leaves move).
 *
 * `labels` narrows the eligible hosts to those that have every label given.
 */
export type Placement =
  | { readonly kind: "local" }
  | { readonly kind: "host"; readonly hostId: string }
  | { readonly kind: "spread"; readonly labels?: Labels }
  | { readonly kind: "least-loaded"; readonly labels?: Labels }
  | { readonly kind: "hash"; readonly key: string; readonly labels?: Labels };

/** Why one host could not take a spawn. */
export interface HostRefusal {
  /** The host. */
  readonly hostId: string;
  /** Why not. */
  readonly reason: string;
}
