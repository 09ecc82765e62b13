/**
 * Another host is gone, declared lost by failure detection or left
 * gracefully: every part of this host that works with it hears so, in
 * order (what waits on it fails, the actors it supervised or owned here
 * stop, watches of its actors end), and then the listeners (the system's
 * supervisors of children placed there).
 *
 * @module
 */

import type { DeathRecord, LocalHost, Runtime } from "../actors/internal.ts";
import type { GoneReason } from "./presence.ts";
import type { Remoting } from "./remoting.ts";
import type { RemoteWatches } from "./remote_watches.ts";
import type { RemoteChildren } from "./remote_children.ts";
import type { OwnedActors } from "./owned_actors.ts";

/** Another host is gone: declared lost by failure detection, or left gracefully. */
export interface HostGone {
  /** The host. */
  readonly hostId: string;
  /** `"lost"` (it stopped heartbeating) or `"left"` (it shut down). */
  readonly reason: GoneReason;
}

/** Who is told when another host is gone, beside this host's own parts. */
export class HostGoneListeners {
  readonly #listeners = new Set<(gone: HostGone) => void>();

  /**
   * Calls `listener` each time another host is gone.
   *
   * @returns A function that ends the subscription.
   */
  add(listener: (gone: HostGone) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener; one that throws is logged and the others are still told. */
  tell(gone: HostGone, logger: Runtime["logger"]): void {
    for (const listener of this.#listeners) {
      try {
        listener(gone);
      } catch (err) {
        logger.error("a host-gone listener threw", { error: String(err) });
      }
    }
  }
}

/** The parts of this host that hear of a gone host. */
export interface GoneHostParts {
  /** This host's runtime, whose logger says which host is gone. */
  readonly runtime: Runtime;
  /** Fails what waits on the host (chunks, fan-outs, asks); a leaving host stops waiting for it. */
  readonly remoting: Remoting;
  /** This host's actors: objects read from there go with it, supervisors of children there hear of it. */
  readonly local: LocalHost;
  /** Watches of the host's actors end. */
  readonly watches: RemoteWatches;
  /** Children here of its supervisors are orphans and stop. */
  readonly children: RemoteChildren;
  /** Actors here owned by a program there stop. */
  readonly owned: OwnedActors;
  /** Told last. */
  readonly listeners: HostGoneListeners;
}

/** Another host is gone: fail what waits on it, and tell the listeners (supervisors). */
export function hostGone(parts: GoneHostParts, hostId: string, reason: GoneReason): void {
  const logger = parts.runtime.logger;
  if (reason === "lost") {
    logger.warn(`host ${hostId} was declared lost; its actors move elsewhere`, {
      lostHost: hostId,
    });
  } else {
    logger.info(`host ${hostId} left the cluster`, { leftHost: hostId });
  }
  parts.remoting.hostGone(
    hostId,
    reason === "lost" ? "it was declared lost" : "it left the cluster",
    reason === "left",
  );
  parts.local.hostGone(hostId, reason);
  parts.watches.hostGone(hostId, reason);
  parts.children.hostGone(hostId, reason);
  parts.owned.hostGone(hostId, reason);
  parts.listeners.tell({ hostId, reason }, logger);
}

/** The record of an actor that went with its host: lost, or shut down with it. */
export function goneWithHost(
  actor: { readonly id: string; readonly type: string; readonly name?: string },
  hostId: string,
  reason: "lost" | "left",
  runtime: Runtime,
): DeathRecord {
  return {
    actor: actor.name === undefined
      ? { id: actor.id, type: actor.type }
      : { id: actor.id, name: actor.name, type: actor.type },
    parent: undefined,
    hostId,
    kind: reason === "lost" ? "host-lost" : "shutdown",
    error: undefined,
    messageName: undefined,
    escalatedFrom: undefined,
    restartCount: 0,
    outcome: "stopped",
    forced: false,
    stopHookError: undefined,
    timestampMs: runtime.clock.now(),
  };
}
