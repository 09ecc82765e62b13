/**
 * Entity claims in the store the hosts share: the arbiter of "at most one
 * activation per entity". A host activates an entity only after it holds the
 * entity's claim, a key `entities.<~type~key>` whose value names the holder.
 * The claim is taken with a compare-and-set (create when absent, or replace
 * the exact revision of a claim whose holder this host's view says is lost
 * or left), so of hosts racing for one entity exactly one wins and the
 * others forward to it. The holder deletes its claim when the activation
 * stops. A holder that is cut off but alive can still run while another
 * host, which sees it lost, takes over: then the compare-and-set on the
 * entity's persistent state is the last line of defence (the second writer
 * loses and stops). See docs/cluster.md, "Entities".
 *
 * @module
 */

import type { StateStore } from "../store/store.ts";
import { encodeKeyToken } from "../store/store.ts";
import { RevisionConflictError } from "../store/errors.ts";
import type { ClaimResult, EntityClaims } from "../actors/internal.ts";
import { packValue, unpackValue } from "./codec.ts";
import { ClaimContendedError } from "./errors.ts";

/** The store key prefix of entity claims. */
export const CLAIM_PREFIX = "entities.";

/** Races lost in a row before a claim gives up (each loss means another host moved). */
const MAX_ATTEMPTS = 8;

/** The store key of an entity's claim. */
export function claimKey(type: string, key: string): string {
  return CLAIM_PREFIX + encodeKeyToken(`~${type}~${key}`);
}

/** The claims of one host. */
export class StoreClaims implements EntityClaims {
  readonly #hostId: string;
  readonly #store: () => Promise<StateStore>;
  readonly #isUp: (hostId: string) => boolean;
  /** The revisions of the claims this host holds, for a release that touches only its own. */
  readonly #held = new Map<string, number>();

  /**
   * @param hostId This host.
   * @param store The store the hosts share.
   * @param isUp Whether this host's view has a host as a member that is not
   *   lost or gone (one that is only unreachable keeps its claims).
   */
  constructor(hostId: string, store: () => Promise<StateStore>, isUp: (hostId: string) => boolean) {
    this.#hostId = hostId;
    this.#store = store;
    this.#isUp = isUp;
  }

  /** Takes the claim, unless a live host holds it. */
  async claim(type: string, key: string): Promise<ClaimResult> {
    const store = await this.#store();
    const storeKey = claimKey(type, key);
    const mine = packValue({ host: this.#hostId });
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await store.get(storeKey);
      const holder = entry === undefined ? undefined : holderOf(entry.value);
      if (holder !== undefined && holder !== this.#hostId && this.#isUp(holder)) {
        return { kind: "held", hostId: holder };
      }
      try {
        const revision = await store.put(storeKey, mine, entry?.revision ?? 0);
        this.#held.set(storeKey, revision);
        return { kind: "mine" };
      } catch (err) {
        if (!RevisionConflictError.is(err)) throw err;
      }
    }
    throw new ClaimContendedError(storeKey, MAX_ATTEMPTS);
  }

  /** Deletes this host's claim, if it still holds it. */
  async release(type: string, key: string): Promise<void> {
    const storeKey = claimKey(type, key);
    const revision = this.#held.get(storeKey);
    if (revision === undefined) return;
    this.#held.delete(storeKey);
    await (await this.#store()).delete(storeKey, revision).catch(() => {});
  }
}

function holderOf(bytes: Uint8Array): string | undefined {
  const value = unpackValue(bytes, () => undefined) as { host?: unknown } | undefined;
  return typeof value?.host === "string" ? value.host : undefined;
}
