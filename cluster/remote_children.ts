/**
 * Actors of this host that a supervisor on another host spawned here: which
 * supervisor each answers to, what happens to them when that supervisor's
 * host is gone (they are orphans and stop), and how their own stop is
 * reported back (frame 5).
 *
 * @module
 */

import { type ExitReason, type LocalHost, SHUTDOWN } from "../actors/internal.ts";
import type { RemoteRef } from "./remote_ref.ts";

/** The remotely supervised actors of one host. */
export class RemoteChildren {
  /** The supervisor (on another host) of each actor spawned here on its behalf, by actor id. */
  readonly supervisedBy = new Map<string, RemoteRef>();
  readonly #local: LocalHost;
  readonly #report: (supervisor: RemoteRef, childId: string, reason: ExitReason) => void;

  /**
   * @param local This host's actors.
   * @param report Sends a child's end to its supervisor (frame 5).
   */
  constructor(
    local: LocalHost,
    report: (supervisor: RemoteRef, childId: string, reason: ExitReason) => void,
  ) {
    this.#local = local;
    this.#report = report;
  }

  /** Whether the actor's supervisor is on another host. */
  supervisesRemotely(actorId: string): boolean {
    return this.supervisedBy.has(actorId);
  }

  /** The id of an actor's supervisor on another host, if it has one. */
  supervisorOf(actorId: string): string | undefined {
    return this.supervisedBy.get(actorId)?.id;
  }

  /** A remotely supervised actor stopped for good on its own account: its supervisor hears of it. */
  stopped(actorId: string, reason: ExitReason): void {
    const supervisor = this.supervisedBy.get(actorId);
    if (supervisor === undefined) return;
    this.supervisedBy.delete(actorId);
    this.#report(supervisor, actorId, reason);
  }

  /**
   * A host is gone: the children of its supervisors are orphans and stop;
   * their supervisor (or its restarted self elsewhere) spawns new ones.
   */
  hostGone(hostId: string, reason: "lost" | "left"): void {
    for (const [actorId, supervisor] of [...this.supervisedBy]) {
      if (supervisor.hostId !== hostId) continue;
      this.supervisedBy.delete(actorId);
      void this.#local.stop(actorId, reason === "lost" ? { kind: "host-lost", hostId } : SHUTDOWN);
    }
  }
}
