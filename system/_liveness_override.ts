/**
 * An internal option of `joinCluster`: the liveness of a worker host, served
 * by its process's main thread. Not part of `ClusterOptions` (a symbol key,
 * so that user options can never set it).
 *
 * @module
 */

import type { LivenessFactory } from "../cluster/liveness.ts";

/** The key of the override in a cluster options object. */
export const LIVENESS_OVERRIDE: unique symbol = Symbol("actorcluster.liveness");

/** Cluster options that may carry the override. */
export interface WithLivenessOverride {
  readonly [LIVENESS_OVERRIDE]?: LivenessFactory;
}
