/**
 * Where a sending host routes an entity's messages: the owner of the key's
 * shard by the rendezvous hash over the live hosts with the type's labels.
 * Choosing it walks every host of the view and hashes each, so the owner of
 * each shard is cached and reused until the view changes (the registry
 * hears every change of a host's standing), the cluster port is replaced
 * (a system that joins a cluster), or at most {@linkcode ROUTE_TTL_MS} has
 * passed. A stale route costs no correctness: the host it names reads the
 * shard's claim and forwards the message to the holder (`registry.ts`).
 *
 * @module
 */

import type { Labels } from "../placement.ts";
import type { RemotePort } from "../remote_port.ts";
import type { EntityHost } from "./host.ts";
import { shardName, SHARDS_PER_TYPE } from "./shards.ts";

/** The longest a cached route is used without the view having said anything. */
export const ROUTE_TTL_MS = 1_000;

/** The cached owners of shards, as this host's view chooses them. */
export class ShardRoutes {
  readonly #runtime: EntityHost;
  /** Per type, the owner of each shard (by index): no string is built or hashed per message. */
  readonly #owners = new Map<string, (string | undefined)[]>();
  #port: RemotePort | undefined;
  #sinceMs = 0;

  /** @param runtime The sending host's runtime (its port chooses each owner). */
  constructor(runtime: EntityHost) {
    this.#runtime = runtime;
  }

  /**
   * The host that owns a shard now, by this host's view.
   *
   * @param type The entity type.
   * @param index The shard's index within the type.
   * @param labels The labels a host needs to hold it (the same for every shard of a type).
   * @returns The owner's host id.
   * @throws {PlacementError} When no live host has the labels (never cached).
   */
  owner(type: string, index: number, labels: Labels | undefined): string {
    const runtime = this.#runtime;
    const port = runtime.remote;
    const nowMs = runtime.clock.now();
    if (port !== this.#port || nowMs - this.#sinceMs >= ROUTE_TTL_MS) {
      this.#owners.clear();
      this.#port = port;
      this.#sinceMs = nowMs;
    }
    let owners = this.#owners.get(type);
    if (owners === undefined) {
      owners = new Array<string | undefined>(SHARDS_PER_TYPE);
      this.#owners.set(type, owners);
    }
    let host = owners[index];
    if (host === undefined) {
      host = port.chooseHost({ kind: "hash", key: shardName(type, index), labels });
      owners[index] = host;
    }
    return host;
  }

  /** The view changed: every route is chosen again. */
  forget(): void {
    this.#owners.clear();
  }

  /** The shards whose cached route is `hostId` (the ones this host sent to it lately). */
  routedTo(hostId: string): { type: string; index: number }[] {
    const shards: { type: string; index: number }[] = [];
    for (const [type, owners] of this.#owners) {
      owners.forEach((owner, index) => {
        if (owner === hostId) shards.push({ type, index });
      });
    }
    return shards;
  }
}
