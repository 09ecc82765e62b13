/**
 * What one host knows of the shards of entity types: which it holds, which
 * another host holds (messages go there), which it is handing off. A claim
 * goes to the store once per shard, not once per entity; every activation in
 * a shard this host holds is then decided here, synchronously.
 *
 * A held shard is trusted without asking the store again only while this
 * host's view has not changed since it last read the claim and no member of
 * the view is suspected: a host cut off from its peers sees them suspected
 * before they declare it lost and take its shards over, so from then on each
 * activation reads the claim again (one read per shard, shared by the
 * activations waiting for it). See docs/cluster.md, "Entities".
 *
 * @module
 */

import type { Labels } from "../placement.ts";
import type { ClaimResult, EntityClaims } from "./claims.ts";
import { shardName } from "./shards.ts";
import { HostUnreachableError } from "../errors.ts";

/** How long a host forwards a shard's messages to another holder before reading its claim again. */
export const FORWARD_FOR_MS = 2_000;

/**
 * How many times in a row a claim read that names a host this one sees gone
 * is read again before the waiting activations are refused: the arbiter
 * sees the same view, so a second read takes the claim over or names a live
 * holder; more means the two disagree.
 */
const GONE_HOLDER_READS = 3;

/**
 * Where a shard is for this host:
 * - `"unknown"`: not read yet, or no longer trusted;
 * - `"claiming"`: its claim is being read or taken; activations wait;
 * - `"mine"`: this host holds it;
 * - `"held"`: `holder` holds it; messages go there;
 * - `"handing-off"`: this host passivates its entities to give it to `holder`.
 */
export type ShardPhase = "unknown" | "claiming" | "mine" | "held" | "handing-off";

/** One shard, as this host sees it. */
export interface Shard {
  /** The entity type. */
  readonly type: string;
  /** The shard's index within the type. */
  readonly index: number;
  /** The placement key of the shard (`~type~#n`). */
  readonly name: string;
  /** The labels a host needs to hold it. */
  readonly labels: Labels | undefined;
  /** See {@linkcode ShardPhase}. */
  phase: ShardPhase;
  /** The other host that holds it, or that it is handed to. */
  holder: string | undefined;
  /** When it became `"held"` (forwarding expires). */
  sinceMs: number;
  /** The view epoch when the claim was last read. */
  epoch: number;
  /** Activations of this shard resident here. */
  resident: number;
  /** The host this one last handed the shard to (a join or a leave), if it ever did. */
  handedTo: string | undefined;
  /** Callbacks of the activations waiting for the shard's claim. */
  waiting: ((outcome: ClaimResult | Error) => void)[];
}

/** The shards of one host. */
export class ShardTable {
  readonly #now: () => number;
  readonly #claims: () => EntityClaims;
  readonly #shards = new Map<string, Shard>();
  /** Bumped on every change of the view: a held shard must be read again after one. */
  #epoch = 0;
  /** Members of the view that are suspected (not up, not yet lost). */
  readonly #suspects = new Set<string>();
  /** Hosts this one has seen lost or leave (and not come back). */
  readonly #gone = new Set<string>();

  /**
   * @param now The host's clock, in milliseconds.
   * @param claims The arbiter (read at each claim: the cluster installs it after start).
   */
  constructor(now: () => number, claims: () => EntityClaims) {
    this.#now = now;
    this.#claims = claims;
  }

  /** The shard named `type`/`index`, created on first use. */
  shard(type: string, index: number, labels: Labels | undefined): Shard {
    const name = shardName(type, index);
    let shard = this.#shards.get(name);
    if (shard === undefined) {
      shard = {
        type,
        index,
        name,
        labels,
        phase: "unknown",
        holder: undefined,
        sinceMs: 0,
        epoch: -1,
        resident: 0,
        handedTo: undefined,
        waiting: [],
      };
      this.#shards.set(name, shard);
    }
    return shard;
  }

  /** How many shards this host is handing off now. */
  handingOff(): number {
    let count = 0;
    for (const shard of this.#shards.values()) if (shard.phase === "handing-off") count++;
    return count;
  }

  /** Every shard this host holds. */
  mine(): Shard[] {
    return [...this.#shards.values()].filter((s) => s.phase === "mine");
  }

  /**
   * Decides where an activation of `shard` runs: at once when the shard is
   * trusted (this host's, or another's within its forwarding time), else
   * after one read of its claim shared by every activation waiting for it.
   *
   * @param fresh Read the claim even when it is trusted (a message came back from its holder).
   */
  acquire(shard: Shard, fresh: boolean, done: (outcome: ClaimResult | Error) => void): void {
    switch (shard.phase) {
      case "mine":
        if (!fresh && this.#trusted(shard)) return done({ kind: "mine" });
        break;
      case "held":
        if (!fresh && this.#now() - shard.sinceMs < FORWARD_FOR_MS) {
          return done({ kind: "held", hostId: shard.holder! });
        }
        break;
      case "claiming":
      case "handing-off":
        shard.waiting.push(done);
        return;
      case "unknown":
        break;
      default: {
        const unknown: never = shard.phase;
        throw new Error(`unknown shard phase ${unknown}`);
      }
    }
    shard.waiting.push(done);
    this.#read(shard);
  }

  #trusted(shard: Shard): boolean {
    return shard.epoch === this.#epoch && this.#suspects.size === 0;
  }

  /**
   * Reads the shard's claim for the activations waiting for it. A read that
   * names a holder which went while it was under way (it left, say, between
   * the store's answer and this callback) is read again: messages must not
   * be forwarded to a host that is gone.
   */
  #read(shard: Shard, goneReads = 0): void {
    const was = shard.phase;
    shard.phase = "claiming";
    const epoch = this.#epoch;
    this.#claims().claim(shard.type, shard.index).then(
      (result) => {
        if (shard.phase !== "claiming") return;
        if (result.kind === "held" && this.#gone.has(result.hostId)) {
          if (goneReads + 1 < GONE_HOLDER_READS) return this.#read(shard, goneReads + 1);
          shard.phase = "unknown";
          const why = `the claim on shard ${shard.name} still names it after it went`;
          return this.#settle(shard, new HostUnreachableError(result.hostId, why));
        }
        shard.epoch = epoch;
        if (result.kind === "mine") {
          shard.phase = "mine";
        } else {
          shard.phase = "held";
          shard.holder = result.hostId;
          shard.sinceMs = this.#now();
        }
        this.#settle(shard, result);
      },
      (err) => {
        if (shard.phase !== "claiming") return;
        shard.phase = was === "mine" ? "mine" : "unknown";
        this.#settle(shard, err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  #settle(shard: Shard, outcome: ClaimResult | Error): void {
    const waiting = shard.waiting;
    shard.waiting = [];
    for (const done of waiting) done(outcome);
  }

  /** Starts handing a shard of this host to `to`: its activations wait until it is released. */
  startHandOff(shard: Shard, to: string): void {
    shard.phase = "handing-off";
    shard.holder = to;
    shard.handedTo = to;
  }

  /** Releases a handed-off shard's claim; then every waiting activation goes to its new holder. */
  async finishHandOff(shard: Shard): Promise<void> {
    await this.#claims().release(shard.type, shard.index).catch(() => {});
    if (shard.phase !== "handing-off") return;
    // The host it was handed to went meanwhile (it left too): where the
    // shard goes now is read, rather than its messages sent to a host that is gone.
    if (this.#gone.has(shard.holder!)) {
      shard.phase = "unknown";
      if (shard.waiting.length > 0) this.#read(shard);
      return;
    }
    shard.phase = "held";
    shard.sinceMs = this.#now();
    this.#settle(shard, { kind: "held", hostId: shard.holder! });
  }

  /**
   * This host was declared lost and fences itself: no shard is its own any
   * more until a read of its claim says so again (after it rejoins).
   */
  distrust(): void {
    this.#epoch++;
    for (const shard of this.#shards.values()) {
      if (shard.phase === "mine") shard.phase = "unknown";
    }
  }

  /**
   * The view changed: held shards are read again before the next
   * activation, and shards held by a host that is gone are forgotten.
   *
   * @param suspect The host is a member, but not up (it may be behind a cut).
   * @param gone The host is lost or left.
   */
  viewChanged(hostId: string, suspect: boolean, gone: boolean): void {
    this.#epoch++;
    if (suspect) this.#suspects.add(hostId);
    else this.#suspects.delete(hostId);
    if (!gone) return void this.#gone.delete(hostId);
    this.#gone.add(hostId);
    for (const shard of this.#shards.values()) {
      if (shard.phase === "held" && shard.holder === hostId) shard.phase = "unknown";
    }
  }
}
