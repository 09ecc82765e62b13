/**
 * An internal option of `joinCluster`: how a worker host asks its process's
 * main thread whether a module is trusted there (the main thread has
 * definitions from it: the same program). Not part of `ClusterOptions` (a
 * symbol key, so that user options can never set it).
 *
 * @module
 */

/** The key of the option in a cluster options object. */
export const MODULE_TRUST: unique symbol = Symbol("actorcluster.moduleTrust");

/** Cluster options that may carry the option. */
export interface WithModuleTrust {
  /** Whether a module file (its URL without query) is trusted by the process. */
  readonly [MODULE_TRUST]?: (file: string) => Promise<boolean>;
}
