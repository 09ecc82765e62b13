/**
 * Placement: which host a remote spawn goes to, chosen from the cluster view.
 *
 * @module
 */

import { type HostInfo, isUp } from "./view.ts";
import {
  type HostRefusal,
  type Labels,
  type Placement,
  PlacementError,
} from "../actors/internal.ts";

export type { HostRefusal, Placement };

/** The label every worker host has: `"worker"` (a host of the main thread has `"main"`). */
export const THREAD_LABEL = "thread";
/**
 * The value of {@linkcode THREAD_LABEL} of a worker host that runs one
 * actor alone (`isolation: "worker"`): only a pin (`{ kind: "host" }`) places
 * anything there.
 */
export const ISOLATED_THREAD = "isolated";

/** Picks hosts; keeps the round-robin position of `spread`. */
export class Placer {
  #next = 0;
  /**
   * Actors this placer sent to each host since that host last reported a new
   * actor count: many placements between two reports (a failover restarting
   * hundreds of children at once) spread out instead of all going to the
   * host that looked emptiest.
   */
  readonly #placedSinceReport = new Map<string, { reported: number; placed: number }>();

  /** How many actors this placer sent to a host that its last report does not count yet. */
  #placedSince(host: HostInfo): number {
    const seen = this.#placedSinceReport.get(host.hostId);
    if (seen !== undefined && seen.reported === host.actorCount) return seen.placed;
    this.#placedSinceReport.set(host.hostId, { reported: host.actorCount, placed: 0 });
    return 0;
  }

  /**
   * Chooses a host.
   *
   * @param placement The request.
   * @param hosts Every known host (this one included).
   * @param selfId This host's id.
   * @returns The chosen host's id.
   * @throws {PlacementError} When no host can take it; the error lists each host and why.
   */
  choose(placement: Placement, hosts: readonly HostInfo[], selfId: string): string {
    switch (placement.kind) {
      case "local":
        return selfId;
      case "host": {
        const host = hosts.find((h) => h.hostId === placement.hostId);
        if (host === undefined) {
          throw new PlacementError(placement, [{
            hostId: placement.hostId,
            reason: "not a known host",
          }]);
        }
        if (!isUp(host.state)) {
          throw new PlacementError(placement, [{
            hostId: host.hostId,
            reason: `host is ${host.state}`,
          }]);
        }
        return host.hostId;
      }
      case "spread": {
        const eligible = this.#eligible(placement, hosts);
        return eligible[this.#next++ % eligible.length].hostId;
      }
      case "least-loaded": {
        const eligible = this.#eligible(placement, hosts);
        const count = (h: HostInfo) => h.actorCount + this.#placedSince(h);
        // A busy host (its loop lags) takes work only when every other one is busy too.
        const chosen = eligible.reduce((best, h) =>
          h.busy !== best.busy ? (h.busy ? best : h) : count(h) < count(best) ||
              (count(h) === count(best) && h.mailboxDepth < best.mailboxDepth)
            ? h
            : best
        );
        this.#placedSince(chosen);
        this.#placedSinceReport.get(chosen.hostId)!.placed++;
        return chosen.hostId;
      }
      case "hash": {
        const eligible = this.#eligible(placement, hosts);
        let best = eligible[0];
        let bestScore = -1;
        for (const h of eligible) {
          const score = hash32(`${placement.key}\u0000${h.hostId}`);
          if (score > bestScore || (score === bestScore && h.hostId < best.hostId)) {
            best = h;
            bestScore = score;
          }
        }
        return best.hostId;
      }
      default: {
        const unknown: never = placement;
        throw new PlacementError(unknown, [{ hostId: "*", reason: "unknown placement kind" }]);
      }
    }
  }

  #eligible(placement: Placement & { labels?: Labels }, hosts: readonly HostInfo[]): HostInfo[] {
    const refusals: HostRefusal[] = [];
    const eligible: HostInfo[] = [];
    for (const host of hosts) {
      if (!isUp(host.state)) {
        refusals.push({ hostId: host.hostId, reason: `host is ${host.state}` });
        continue;
      }
      if (host.labels[THREAD_LABEL] === ISOLATED_THREAD) {
        refusals.push({ hostId: host.hostId, reason: "runs one isolated actor alone" });
        continue;
      }
      const missing = Object.entries(placement.labels ?? {}).filter(([k, v]) =>
        host.labels[k] !== v
      );
      if (missing.length > 0) {
        const why = missing.map(([k, v]) =>
          `label ${k}=${v} wanted, ${
            host.labels[k] === undefined ? "absent" : `has ${k}=${host.labels[k]}`
          }`
        );
        refusals.push({ hostId: host.hostId, reason: why.join("; ") });
        continue;
      }
      eligible.push(host);
    }
    if (eligible.length === 0) {
      throw new PlacementError(
        placement,
        refusals.length > 0 ? refusals : [{ hostId: "*", reason: "no hosts known" }],
      );
    }
    return eligible;
  }
}

/** FNV-1a, 32 bits, then a final mix: a quick, stable string hash. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
