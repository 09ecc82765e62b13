/**
 * What a host's presence needs around it, and what it reports: its seams
 * (transport, clock, view, fencing), the load it tells, and why it fences.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { Clock } from "../base/clock.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { ClusterView, Labels } from "./view.ts";

/** Why another host is gone: declared lost, or left gracefully. */
export type GoneReason = "lost" | "left";

/** What a host tells of itself in each heartbeat. */
export interface HostLoad {
  /** Its live actors. */
  readonly actorCount: number;
  /** Messages waiting in all its mailboxes. */
  readonly mailboxDepth: number;
  /** How late its event loop runs, in milliseconds. */
  readonly loopLagMs: number;
  /** Whether the lag is past the busy threshold. */
  readonly busy: boolean;
}

/** Where presence reports what it has to say (a subset of the runtime's logger). */
export interface PresenceLog {
  /** Something worth knowing. */
  info(text: string): void;
  /** Something went wrong but is handled. */
  warn(text: string): void;
}

/** What presence needs around it. */
export interface PresenceSeams {
  /** This host's id. */
  readonly hostId: string;
  /** The time source and timers. */
  readonly clock: Clock;
  /** Where to say what happens. */
  readonly log: PresenceLog;
  /** The connection to the others. */
  readonly transport: Transport;
  /** The cluster's subjects. */
  readonly subjects: Subjects;
  /** The view to keep up to date. */
  readonly view: ClusterView;
  /** This host's labels. */
  readonly labels: Labels;
  /** How often to heartbeat, in milliseconds. */
  readonly heartbeatIntervalMs: number;
  /** Silence after which a host is lost, in milliseconds. */
  readonly suspicionTimeoutMs: number;
  /** When the host started (its first epoch), in clock milliseconds; default: now. */
  readonly startedAtMs?: number;
  /**
   * Heartbeats an unknown host needs before it is a member: 2 over NATS (a
   * flood of made-up one-shot announcements never enters the view), 1 on an
   * in-process bus, where nobody else publishes. Default 2.
   */
  readonly admitAfterHeartbeats?: number;
  /** This host's load, read for each heartbeat. */
  readonly load: () => HostLoad;
  /**
   * Stops every actor of this host: the others declared it lost (or its
   * liveness fenced it after a stall). Resolves when they are stopped.
   */
  readonly fence: (why: FenceCause) => Promise<void>;
  /** Told once when another host is declared lost or leaves. */
  readonly onGone: (hostId: string, reason: GoneReason) => void;
}

/**
 * Why a host fenced itself: the others declared it lost (it was frozen or
 * cut off), or its event loop stalled past the hang limit.
 */
export type FenceCause =
  | { readonly kind: "declared-lost" }
  | { readonly kind: "hung"; readonly stalledMs: number; readonly hangLimitMs: number };
