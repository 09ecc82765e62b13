/**
 * Actors of this host that a program on another host spawned here and owns:
 * when that host leaves or is declared lost, they stop (kind `"owner-gone"`),
 * so a driver script or a notebook that ends, crashes or is re-run leaves no
 * actors behind. A spawn with `detached: true` carries no owner, and a
 * supervisor's children answer to their supervisor instead
 * (`remote_children.ts`).
 *
 * @module
 */

import type { LocalHost } from "../actors/internal.ts";

/** The owned actors of one host, by the host that owns them. */
export class OwnedActors {
  /** The owner's host id of each owned actor, by actor id. */
  readonly #ownerOf = new Map<string, string>();
  readonly #local: LocalHost;
  readonly #goneHow: (hostId: string) => "left" | "lost" | undefined;

  /**
   * @param local This host's actors.
   * @param goneHow Whether a host is known to have left or been lost (the cluster view).
   */
  constructor(local: LocalHost, goneHow: (hostId: string) => "left" | "lost" | undefined) {
    this.#local = local;
    this.#goneHow = goneHow;
  }

  /** How many actors are owned by other hosts. */
  get size(): number {
    return this.#ownerOf.size;
  }

  /** The host that owns an actor, if another host does. */
  ownerOf(actorId: string): string | undefined {
    return this.#ownerOf.get(actorId);
  }

  /**
   * Records that an actor spawned here belongs to a program on `ownerId`. An
   * actor whose owner is already known to be gone (its request was late)
   * stops at once.
   */
  own(actorId: string, ownerId: string): void {
    const gone = this.#goneHow(ownerId);
    if (gone !== undefined) {
      this.#stop(actorId, ownerId, gone);
      return;
    }
    this.#ownerOf.set(actorId, ownerId);
  }

  /** An owned actor stopped for good on its own account: it is forgotten. */
  stopped(actorId: string): void {
    this.#ownerOf.delete(actorId);
  }

  /** A host is gone: the actors it owns here stop. */
  hostGone(hostId: string, how: "left" | "lost"): void {
    for (const [actorId, ownerId] of [...this.#ownerOf]) {
      if (ownerId === hostId) this.#stop(actorId, ownerId, how);
    }
  }

  #stop(actorId: string, ownerId: string, how: "left" | "lost"): void {
    this.#ownerOf.delete(actorId);
    void this.#local.stop(actorId, { kind: "owner-gone", ownerId, how });
  }
}
