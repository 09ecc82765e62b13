/**
 * A host's liveness: the part of a host that heartbeats, hears the others
 * and decides who is lost. It must keep running while the host's event loop
 * is busy with work (a handler computing, a large message decoding), or a
 * busy host would be declared lost. Two implementations:
 * - on a liveness worker (`worker_liveness.ts`), with a NATS connection of
 *   its own: the default for a host that connects to NATS servers;
 * - on the host's own loop (`Presence`, `sameLoopLiveness` here): for hosts on
 *   an in-process transport (the memory bus of tests and simulations), where
 *   every host shares one loop anyway.
 *
 * The cluster host uses the view this keeps up to date, and hears through
 * `onGone` which hosts are gone and through `fence` when its own actors
 * must stop.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { ClusterView, Labels } from "./view.ts";
import { type FenceCause, type GoneReason, Presence, type PresenceLog } from "./presence.ts";

/** What a host's liveness needs of the host. */
export interface LivenessSeams {
  /** This host's id. */
  readonly hostId: string;
  /** The time source and timers of the host. */
  readonly clock: Clock;
  /** Where to say what happens. */
  readonly log: PresenceLog;
  /** The host's connection (used by same-loop liveness only). */
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
  /** This host's live actors, for its heartbeats. */
  readonly actorCount: () => number;
  /**
   * Counts the messages queued on this host: one pass over every actor (in
   * slices; about 50 ms for a million here), so it is counted once a second.
   */
  readonly mailboxDepth: () => Promise<number>;
  /** Stops every actor of this host; resolves when they are stopped. */
  readonly fence: (why: FenceCause) => Promise<void>;
  /** Told once when another host is declared lost or leaves. */
  readonly onGone: (hostId: string, reason: GoneReason) => void;
}

/** A running liveness. */
export interface Liveness {
  /** This host's current epoch (it changes when the host fences itself and rejoins). */
  readonly epoch: number;
  /** Resolves once this host has announced itself. */
  readonly ready: Promise<void>;
  /** Says goodbye, so that the others stop sending at once; no more heartbeats. */
  leave(): void;
  /** Stops heartbeating, checking and listening; resolves when all is closed. */
  stop(): Promise<void>;
}

/** Makes a host's liveness. */
export type LivenessFactory = (seams: LivenessSeams) => Liveness;

/**
 * Liveness on the host's own event loop. A handler that computes for longer
 * than the suspicion timeout gets the host declared lost: use it only where
 * hosts share one loop (in-process transports).
 */
export const sameLoopLiveness: LivenessFactory = (seams: LivenessSeams): Liveness => {
  let depth = 0;
  let depthCountedAtMs = -Infinity;
  const presence = new Presence({
    ...seams,
    load: () => {
      // The queued messages are one pass over every actor: counted at most once
      // a second (the heartbeat carries the last count).
      const now = seams.clock.now();
      if (now - depthCountedAtMs >= 1_000) {
        depthCountedAtMs = now;
        void seams.mailboxDepth().then((counted) => depth = counted, () => {});
      }
      return { actorCount: seams.actorCount(), mailboxDepth: depth, loopLagMs: 0, busy: false };
    },
  });
  return {
    get epoch() {
      return presence.epoch;
    },
    ready: Promise.resolve(),
    leave: () => presence.leave(),
    stop: () => Promise.resolve(presence.stop()),
  };
};
