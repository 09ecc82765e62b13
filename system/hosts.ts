/**
 * The port an `ActorSystem` uses to reach the hosts of its cluster: one
 * implementation for a system that joined nothing ({@linkcode SoloHosts}),
 * one for a cluster (loaded only when a system joins one). The system has one
 * code path per operation and never asks which it has.
 *
 * @module
 */

import type { ActorDefinition } from "../actors/definition.ts";
import type { BaseRef } from "../actors/ref.ts";
import type { SpawnOptions } from "../actors/spawn_options.ts";
import type { Placement } from "../actors/placement.ts";
import type { Inspection } from "../actors/observe/inspection.ts";
import type { ActorPage, ActorQuery } from "../actors/observe/actor_pages.ts";
import type { HostInfo } from "../cluster/view.ts";
import type { TransportStats } from "../cluster/cluster_host.ts";
import type { TransportStatus } from "../transport/transport.ts";

/** Which hosts an inspection covers. */
export type InspectScope = "host" | "cluster";

/** What a system needs of the hosts around it. */
export interface Hosts {
  /** The scope of an inspection that names none. */
  readonly defaultScope: InspectScope;
  /**
   * Why cluster-wide names cannot use the system's store, or `undefined`
   * when they can (a cluster needs a store its hosts share).
   */
  namesStoreProblem(sharedStore: boolean): Error | undefined;
  /**
   * Spawns a top-level actor where the placement says.
   *
   * @returns Its ref, once it exists there.
   */
  spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> & { readonly placement: Placement },
  ): Promise<BaseRef>;
  /** Stops an actor of another host; resolves once it stopped. */
  stop(ref: BaseRef, timeoutMs: number): Promise<void>;
  /** The hosts as this one sees them, this one included. */
  hosts(): HostInfo[];
  /** An inspection of this host, or of every host at once, listing `actorsPerHost` per host. */
  inspect(
    scope: InspectScope,
    recent: number,
    timeoutMs: number,
    actorsPerHost: number,
  ): Promise<Inspection>;
  /**
   * A page of actors: this host's alone without a cluster, else every
   * answering host's, each asked with `timeoutMs`.
   */
  inspectActors(query: ActorQuery, timeoutMs: number): Promise<ActorPage>;
  /** An inspection of this host alone, at once, listing its first actors (for displays). */
  inspectHere(recent: number): Inspection;
  /** Calls `listener` when a host's standing changes; returns the unsubscribe function. */
  onHostChange(listener: (host: HostInfo) => void): () => void;
  /** The connection to the other hosts; `undefined` without a cluster. */
  connectionStatus(): TransportStatus | undefined;
  /** Counters of cluster traffic; `undefined` without a cluster. */
  transportStats(): TransportStats | undefined;
  /** Waits until everything sent so far has left this host. */
  flush(): Promise<void>;
}
