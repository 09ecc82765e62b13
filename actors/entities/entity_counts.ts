/**
 * The counters of a host's entities, as inspection reports them (a leaf
 * file: inspection needs the shape, not the registry).
 *
 * @module
 */

/** Counters of a host's entities, for inspection. */
export interface EntityCounts {
  /** Entities resident on this host now. */
  readonly resident: number;
  /** Activations since the host started. */
  readonly activations: number;
  /** Passivations (idle or evicted) since the host started. */
  readonly passivations: number;
  /** Passivations because the host reached its cap. */
  readonly evictions: number;
  /** Entities handed off to another host by a rebalance. */
  readonly moves: number;
}
