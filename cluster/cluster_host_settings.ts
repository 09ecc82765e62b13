/**
 * The settings a host joins a cluster with (`cluster_host.ts`): its names
 * and labels, its timings and limits, and where its liveness runs. The
 * system resolves them from its options (`system/cluster_hosts.ts`).
 *
 * @module
 */

import type { Labels } from "./view.ts";
import type { LivenessFactory } from "./liveness.ts";
import type { SpawnRateOptions } from "./spawn_rate.ts";
import type { ModuleGate } from "./definitions.ts";
import type { DirectChannelPolicy } from "./direct_policy.ts";
import type { FanoutTiming } from "./chunk_policy.ts";

/** Settings of a host's cluster membership. */
export interface ClusterHostSettings {
  /** The cluster's name. */
  readonly cluster: string;
  /** The first subject token. */
  readonly prefix: string;
  /** This host's labels. */
  readonly labels: Labels;
  /** How often this host heartbeats, in milliseconds. */
  readonly heartbeatIntervalMs: number;
  /** Silence after which a host is declared lost, in milliseconds. */
  readonly suspicionTimeoutMs: number;
  /** Timeout of a remote spawn request, in milliseconds. */
  readonly spawnTimeoutMs: number;
  /** Spawn requests accepted per requesting host; default: `DEFAULT_SPAWN_BURST`, `..._PER_SECOND`. */
  readonly spawnRate?: SpawnRateOptions;
  /** Which modules a remote spawn may have this host import. */
  readonly moduleGate: ModuleGate;
  /** Whether the host owns (and closes) the transport. */
  readonly ownsTransport: boolean;
  /** Inbound batches above this size are refused, in bytes. */
  readonly maxInboundBytes: number;
  /** The largest envelope sent or accepted (chunked above a batch), in bytes. */
  readonly maxMessageBytes?: number;
  /** Whether errors sent to other hosts carry stack traces (debugging). */
  readonly wireStacks?: boolean;
  /** The direct data channel, when it is on. */
  readonly directChannel?: DirectChannelPolicy;
  /** Fan-out timings other than the defaults. */
  readonly fanoutTiming?: FanoutTiming;
  /** Where heartbeats and failure detection run: a liveness worker, or this loop. */
  readonly liveness: LivenessFactory;
}
