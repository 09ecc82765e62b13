/**
 * Shard claims in the store the hosts share: the arbiter of "at most one
 * activation per entity". A host activates the entities of a shard only
 * while it holds the shard's claim, a key `entity-shards.<~type~#n>` whose
 * value names the holder and its epoch. The claim is taken with a
 * compare-and-set (create when absent, or replace the exact revision of a
 * claim whose holder this host's view says is lost or left, or names an
 * older epoch of its host), so of hosts racing for one shard exactly one
 * wins and the others forward to it. The holder deletes its claim when it
 * hands the shard off. A holder that is cut off but alive can still run
 * while another host, which sees it lost, takes over: then the
 * compare-and-set on the entity's persistent state is the last line of
 * defence (the second writer loses and stops). See docs/cluster.md,
 * "Entities".
 *
 * The epoch matters for a host that was declared lost: it claims nothing
 * while it fences itself, and once it rejoins, a claim its lost epoch wrote
 * is not its own any more (another host may be taking it over at that very
 * moment, on the same revision), so it takes it again by compare-and-set
 * like any other host, rather than trusting a read that names it (seed 1186
 * of the entity simulation: two activations). A host whose view has only
 * the lost epoch of a holder respects a claim by its newer epoch for a
 * grace, as an unknown holder's.
 *
 * @module
 */

import type { StateStore } from "../store/store.ts";
import type { HostState } from "./view.ts";
import { encodeKeyToken } from "../store/store.ts";
import { RevisionConflictError } from "../store/errors.ts";
import { type ClaimResult, type EntityClaims, HostUnreachableError } from "../actors/internal.ts";
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

/** Newer epochs of holders remembered at once (when they were first seen); more start over. */
const MAX_NEWER_SEEN = 1_024;

/**
 * How this host's view has the holder a claim names, at the epoch it names:
 * - `"member"`: alive, busy, or only unreachable (it keeps its claims);
 * - `"gone"`: lost or left, or the claim names an older epoch than the view has;
 * - `"unknown"`: not in the view;
 * - `"newer"`: the claim names a newer epoch than the view has (the holder
 *   rejoined, and this host has not heard it yet).
 */
export type HolderStanding = "member" | "gone" | "unknown" | "newer";

/**
 * How a view has a claim's holder: `host` is the view's record of the
 * holder's host id (`undefined`: not in the view), `epoch` the epoch the
 * claim names (`undefined`: a claim written without one, judged by the
 * host's state alone).
 */
export function holderStanding(
  host: { readonly epoch: number; readonly state: HostState } | undefined,
  epoch: number | undefined,
): HolderStanding {
  if (host === undefined) return "unknown";
  if (epoch !== undefined && epoch > host.epoch) return "newer";
  if (epoch !== undefined && epoch < host.epoch) return "gone";
  return host.state === "lost" || host.state === "left" ? "gone" : "member";
}

/** A claim's holder, as its value names it (a claim written without an epoch has none). */
interface Holder {
  readonly host: string;
  readonly epoch: number | undefined;
}

/** The store key of a shard's claim. */
export function claimKey(type: string, shard: number): string {
  return CLAIM_PREFIX + encodeKeyToken(shardName(type, shard));
}

/** The claims of one host. */
export class StoreClaims implements EntityClaims {
  readonly #hostId: string;
  readonly #epoch: () => number;
  readonly #store: () => Promise<StateStore>;
  readonly #standing: (hostId: string, epoch: number | undefined) => HolderStanding;
  readonly #now: () => number;
  /** When each newer epoch of a holder (`host@epoch`) was first seen in a claim. */
  readonly #newerSeen = new Map<string, number>();
  /** The epoch this host fenced itself in: it claims nothing until its epoch changes. */
  #voidEpoch: number | undefined = undefined;
  /** Since when this host is connected to the cluster (joined, or back from a cut). */
  #connectedSinceMs: number;
  /** The revisions of the claims this host holds, for a release that touches only its own. */
  readonly #held = new Map<string, number>();

  /**
   * @param hostId This host.
   * @param epoch This host's current epoch (it changes when the host rejoins).
   * @param store The store the hosts share.
   * @param standing How this host's view has a claim's holder at the epoch
   *   the claim names (`undefined`: a claim without one); see {@linkcode HolderStanding}.
   * @param now The host's clock, in milliseconds.
   */
  constructor(
    hostId: string,
    epoch: () => number,
    store: () => Promise<StateStore>,
    standing: (hostId: string, epoch: number | undefined) => HolderStanding,
    now: () => number,
  ) {
    this.#hostId = hostId;
    this.#epoch = epoch;
    this.#store = store;
    this.#standing = standing;
    this.#now = now;
    this.#connectedSinceMs = now();
  }

  /** This host is connected again after a cut: it may have missed hosts that joined meanwhile. */
  reconnected(): void {
    this.#connectedSinceMs = this.#now();
  }

  /** This host fences itself: see {@linkcode EntityClaims.fenced}. */
  fenced(): void {
    this.#voidEpoch = this.#epoch();
  }

  /** Whether another host's claim stands. */
  #holds(holder: Holder): boolean {
    const now = this.#now();
    switch (this.#standing(holder.host, holder.epoch)) {
      case "member":
        return true;
      case "gone":
        return false;
      case "unknown":
        return now - this.#connectedSinceMs < UNKNOWN_HOLDER_GRACE_MS;
      case "newer": {
        // It wrote the claim, so it lived lately: this host hears of it soon, or it is gone.
        const key = `${holder.host}@${holder.epoch}`;
        if (!this.#newerSeen.has(key) && this.#newerSeen.size >= MAX_NEWER_SEEN) {
          this.#newerSeen.clear();
        }
        const firstMs = this.#newerSeen.get(key) ?? this.#newerSeen.set(key, now).get(key)!;
        return now - firstMs < UNKNOWN_HOLDER_GRACE_MS;
      }
    }
  }

  /**
   * Takes the claim, unless a live host holds it; one this host's current
   * epoch holds already is only read (one its earlier epoch wrote is taken again).
   */
  async claim(type: string, shard: number): Promise<ClaimResult> {
    const store = await this.#store();
    const storeKey = claimKey(type, shard);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await store.get(storeKey);
      const holder = entry === undefined ? undefined : holderOf(entry.value);
      const epoch = this.#epoch();
      if (epoch === this.#voidEpoch) {
        throw new HostUnreachableError(
          this.#hostId,
          "it was declared lost and fences itself (its actors stop; it rejoins with a new epoch)",
        );
      }
      if (entry !== undefined && holder?.host === this.#hostId && holder.epoch === epoch) {
        this.#held.set(storeKey, entry.revision);
        return { kind: "mine" };
      }
      this.#held.delete(storeKey);
      if (holder !== undefined && holder.host !== this.#hostId && this.#holds(holder)) {
        return { kind: "held", hostId: holder.host };
      }
      try {
        const mine = packValue({ host: this.#hostId, epoch });
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

function holderOf(bytes: Uint8Array): Holder | undefined {
  const value = unpackValue(bytes, () => undefined) as
    | { host?: unknown; epoch?: unknown }
    | undefined;
  if (typeof value?.host !== "string") return undefined;
  const epoch = typeof value.epoch === "number" && Number.isSafeInteger(value.epoch)
    ? value.epoch
    : undefined;
  return { host: value.host, epoch };
}
