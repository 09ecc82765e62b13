/**
 * The messages between a host and its liveness worker (structured clones
 * over the worker's port).
 *
 * @module
 */

import type { NatsConnectOptions } from "../transport/nats_connect.ts";
import type { HostInfo, Labels } from "./view.ts";
import type { FenceCause, GoneReason } from "./presence.ts";

/** Everything the liveness worker needs to start. */
export interface LivenessInit {
  readonly t: "init";
  readonly hostId: string;
  /** The side's own connection, when it makes one (a liveness worker). */
  readonly nats?: {
    readonly servers: string | readonly string[];
    readonly connect: NatsConnectOptions;
  };
  readonly cluster: string;
  readonly prefix: string;
  readonly labels: Labels;
  readonly heartbeatIntervalMs: number;
  readonly suspicionTimeoutMs: number;
  readonly busyAfterMs: number;
  readonly hangLimitMs: number;
  readonly tickIntervalMs: number;
  readonly startedAtMs: number;
  /**
   * A shared flag the side sets when the host's loop misses a tick: the
   * dispatcher then yields between two messages (and the next tick clears it).
   */
  readonly preempt?: Int32Array;
}

/** From the host to its liveness worker. */
export type ToLiveness =
  | LivenessInit
  /** The host's subscriptions are in place: announce. */
  | { readonly t: "start" }
  /** The host's loop runs (sent every tick interval), with its load. */
  | { readonly t: "tick"; readonly actorCount: number; readonly mailboxDepth: number }
  /** The host's actors are stopped after a fence. */
  | { readonly t: "fenced" }
  | { readonly t: "leave" }
  | { readonly t: "stop" };

/** From the liveness worker to its host. */
export type FromLiveness =
  /** Connected and announced. */
  | { readonly t: "ready" }
  /** It could not connect. */
  | { readonly t: "failed"; readonly message: string }
  /** The view as the worker keeps it, and this host's epoch. */
  | {
    readonly t: "view";
    readonly epoch: number;
    readonly hosts: readonly HostInfo[];
    /** Control messages the side refused, by reason. */
    readonly refused: Readonly<Record<string, number>>;
  }
  | { readonly t: "gone"; readonly hostId: string; readonly reason: GoneReason }
  /** Stop every actor of the host, then answer `fenced`. */
  | { readonly t: "fence"; readonly cause: FenceCause }
  | { readonly t: "log"; readonly level: "info" | "warn"; readonly text: string }
  /** Closed after `stop`. */
  | { readonly t: "stopped" };
