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

import { Presence, type PresenceSeams } from "./presence.ts";

/**
 * What a host's liveness needs of the host: what presence needs (the
 * transport is used by same-loop liveness only), with the host's load as
 * counts rather than as one heartbeat's figures.
 */
export interface LivenessSeams
  extends Omit<PresenceSeams, "load" | "startedAtMs" | "admitAfterHeartbeats"> {
  /** This host's live actors, for its heartbeats. */
  readonly actorCount: () => number;
  /**
   * Counts the messages queued on this host: one pass over every actor (in
   * slices; about 50 ms for a million here), so it is counted once a second.
   */
  readonly mailboxDepth: () => Promise<number>;
  /**
   * The dispatcher's preemption flag (shared memory): a liveness side that
   * runs apart from the host's loop sets it when the loop misses a tick, so
   * that a run of long turns yields between two messages.
   */
  readonly preempt: Int32Array;
}

/** A running liveness. */
export interface Liveness {
  /** This host's current epoch (it changes when the host fences itself and rejoins). */
  readonly epoch: number;
  /** Resolves once this host has announced itself and the others can count it a member. */
  readonly ready: Promise<void>;
  /**
   * Control messages its liveness refused, by reason (votes for epochs never
   * announced, votes from non-members, forged goodbyes, ...).
   */
  readonly refused: Readonly<Record<string, number>>;
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
    // Nobody but the hosts of this process publishes on an in-process bus.
    admitAfterHeartbeats: 1,
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
    ready: presence.joined,
    get refused() {
      return presence.refused;
    },
    leave: () => presence.leave(),
    stop: () => Promise.resolve(presence.stop()),
  };
};
