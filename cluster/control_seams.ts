/**
 * What the serving side of requests to one host works with
 * (`control.ts`, `control_spawn.ts`).
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type {
  DeathRecord,
  HostActorPage,
  HostActorQuery,
  HostSnapshot,
  LocalHost,
  Runtime,
} from "../actors/internal.ts";
import type { RemoteRef } from "./remote_ref.ts";
import type { OwnedActors } from "./owned_actors.ts";
import type { ModuleGate } from "./definitions.ts";
import type { SpawnRateLimiter } from "./spawn_rate.ts";
import type { RememberedSpawns } from "./remembered_spawns.ts";

/** What the request handlers work with. */
export interface ControlSeams {
  /** This host's runtime. */
  readonly runtime: Runtime;
  /** This host's actors, by id. */
  readonly local: LocalHost;
  /** Where answers go. */
  readonly transport: Transport;
  /** Which modules a spawn may have this host import. */
  readonly moduleGate: ModuleGate;
  /** The supervisors (on other hosts) of actors spawned here on their behalf. */
  readonly supervisedBy: Map<string, RemoteRef>;
  /** The actors spawned here by programs on other hosts that own them. */
  readonly owned: OwnedActors;
  /** Recent spawn requests, by requester and request id (a repeated request gets the same answer). */
  readonly spawns: RememberedSpawns;
  /**
   * This host's part of an inspection, with at most `recent` letters and
   * records; a host with many actors gathers it in slices (a promise).
   */
  readonly snapshot: (
    recent: number,
    listLimit: number,
  ) => HostSnapshot | Promise<HostSnapshot>;
  /** This host's answer to a checked page request, gathered in slices. */
  readonly page: (query: HostActorQuery) => Promise<HostActorPage>;
  /** The hosts that watch an actor of this host, by actor id (one notice per host). */
  readonly watchers: Map<string, Set<string>>;
  /** Sends frame 6 to a watching host: the actor stopped for good. */
  readonly notifyStopped: (hostId: string, actorId: string, record: DeathRecord) => void;
  /** The member that sent a request, from its subject. */
  readonly senderOf: (subject: string) => string | undefined;
  /** The spawn requests accepted per requesting host. */
  readonly spawnRate: SpawnRateLimiter;
  /** Requests refused, by reason, for the host report. */
  readonly refused: Record<string, number>;
  /** A token and address of this host's direct channel for `sender`; `undefined`: none offered. */
  readonly directOffer?: (sender: string) => { address: string; token: Uint8Array } | undefined;
}
