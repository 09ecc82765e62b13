/**
 * Shard claims in the store the hosts share: the arbiter of "at most one
 * activation per entity". A host activates the entities of a shard only
 * while it holds the shard's claim, a key `entity-shards.<~type~#n>` whose
 * value names the holder. The claim is taken with a compare-and-set (create
 * when absent, or replace the exact revision of a claim whose holder this
 * host's view says is lost or left), so of hosts racing for one shard exactly
 * one wins and the others forward to it. The holder deletes its claim when
 * it hands the shard off. A holder that is cut off but alive can still run
 * while another host, which sees it lost, takes over: then the
 * compare-and-set on the entity's persistent state is the last line of
 * defence (the second writer loses and stops). See docs/cluster.md,
 * "Entities".
 *
 * @module
 */

import type { StateStore } from "../store/store.ts";
import { encodeKeyToken } from "../store/store.ts";
import { RevisionConflictError } from "../store/errors.ts";
import type { ClaimResult, EntityClaims } from "../actors/internal.ts";
import { packValue, unpackValue } from "./codec.ts";
import { ClaimContendedError } from "./errors.ts";
import { shardName } from "../actors/internal.ts";

/** The store key prefix of shard claims. */
export const CLAIM_PREFIX = "entity-shards.";

/**
 * How long after this host joined, or came back from a cut, a claim whose
 * holder it does not know is respected: until then it may not have heard of
 * every member, and must not take an entity from one of them. Once it has
 * been connected this long, a holder it still does not know is a host gone
 * before it came (a verdict reached before it joined names a host its view
 * never held), and the claim is taken over at once. Five suspicion timeouts
 * at the default settings: a live member answers a joiner's discovery at
 * once, and the joiner announces itself twice. Counting from the first
 * sight of the claim instead left such a shard unserved for this long after
 * every late join (seed 77 of the entity simulation).
 */
export const UNKNOWN_HOLDER_GRACE_MS = 5_000;

/** Races lost in a row before a claim gives up (each loss means another host moved). */
const MAX_ATTEMPTS = 8;

/** The store key of a shard's claim. */
export function claimKey(type: string, shard: number): string {
  return CLAIM_PREFIX + encodeKeyToken(shardName(type, shard));
}

/** The claims of one host. */
export class StoreClaims implements EntityClaims {
  readonly #hostId: string;
  readonly #store: () => Promise<StateStore>;
  readonly #standing: (hostId: string) => "member" | "gone" | "unknown";
  readonly #now: () => number;
  /** Since when this host is connected to the cluster (joined, or back from a cut). */
  #connectedSinceMs: number;
  /** The revisions of the claims this host holds, for a release that touches only its own. */
  readonly #held = new Map<string, number>();

  /**
   * @param hostId This host.
   * @param store The store the hosts share.
   * @param standing How this host's view has a host: a `"member"` (alive,
   *   busy, or only unreachable: it keeps its claims), `"gone"` (lost or
   *   left), or `"unknown"` (not in the view).
   * @param now The host's clock, in milliseconds.
   */
  constructor(
    hostId: string,
    store: () => Promise<StateStore>,
    standing: (hostId: string) => "member" | "gone" | "unknown",
    now: () => number,
  ) {
    this.#hostId = hostId;
    this.#store = store;
    this.#standing = standing;
    this.#now = now;
    this.#connectedSinceMs = now();
  }

  /** This host is connected again after a cut: it may have missed hosts that joined meanwhile. */
  reconnected(): void {
    this.#connectedSinceMs = this.#now();
  }

  /** Whether a holder's claim stands. */
  #holds(holder: string): boolean {
    const standing = this.#standing(holder);
    if (standing !== "unknown") return standing === "member";
    return this.#now() - this.#connectedSinceMs < UNKNOWN_HOLDER_GRACE_MS;
  }

  /** Takes the claim, unless a live host holds it; one this host holds already is only read. */
  async claim(type: string, shard: number): Promise<ClaimResult> {
    const store = await this.#store();
    const storeKey = claimKey(type, shard);
    const mine = packValue({ host: this.#hostId });
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await store.get(storeKey);
      const holder = entry === undefined ? undefined : holderOf(entry.value);
      if (entry !== undefined && holder === this.#hostId) {
        this.#held.set(storeKey, entry.revision);
        return { kind: "mine" };
      }
      this.#held.delete(storeKey);
      if (holder !== undefined && holder !== this.#hostId && this.#holds(holder)) {
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
  async release(type: string, shard: number): Promise<void> {
    const storeKey = claimKey(type, shard);
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
