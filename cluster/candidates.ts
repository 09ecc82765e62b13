/**
 * Hosts heard of but not yet members. An announcement from a host id this
 * host does not know (or a new epoch of one that was lost or left) makes a
 * *candidate*; the candidate becomes a member when a second heartbeat of the
 * same epoch arrives at least `minSpacingMs` after the first (hosts use 0:
 * under load two announcements sent apart arrive together): what a live host
 * does by itself (it announces twice when it joins, and every heartbeat
 * interval after). A flood of one-shot announcements with made-up ids never
 * enters the view: candidates are few (the oldest is evicted first), expire,
 * and are never answered (no `lost` about a host that never was a member).
 *
 * Deterministic: every call takes the time.
 *
 * @module
 */

/** How candidates are admitted and bounded. */
export interface CandidateRules {
  /** Heartbeats of one epoch a candidate needs (1: admitted at once, for in-process buses). */
  readonly heartbeats: number;
  /** Least time between its first and its admitting heartbeat, in milliseconds. */
  readonly minSpacingMs: number;
  /** Most candidates kept; the oldest is evicted first. */
  readonly maxCandidates: number;
  /** A candidate not admitted within this time is forgotten, in milliseconds. */
  readonly lifetimeMs: number;
}

/** Default cap on candidates. */
export const DEFAULT_MAX_CANDIDATES = 256;

interface Candidate {
  readonly epoch: number;
  readonly firstMs: number;
  readonly heard: number;
}

/** The candidates of one host. */
export class Candidates {
  readonly #rules: CandidateRules;
  /** In order of first heartbeat: the first entry is the oldest. */
  readonly #byId = new Map<string, Candidate>();

  /** @param rules Admission and bounds. */
  constructor(rules: CandidateRules) {
    this.#rules = rules;
  }

  /** How many candidates are kept now. */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * A heartbeat of `hostId`, epoch `epoch`, that is not a member here.
   *
   * @returns Whether it is admitted now (then it is no longer a candidate).
   */
  heard(hostId: string, epoch: number, nowMs: number): boolean {
    const rules = this.#rules;
    if (rules.heartbeats <= 1) return true;
    this.#expire(nowMs);
    const known = this.#byId.get(hostId);
    if (known === undefined || known.epoch !== epoch) {
      this.#byId.delete(hostId);
      this.#byId.set(hostId, { epoch, firstMs: nowMs, heard: 1 });
      while (this.#byId.size > rules.maxCandidates) {
        this.#byId.delete(this.#byId.keys().next().value!);
      }
      return false;
    }
    // Heartbeats closer than the spacing (a burst) count once.
    if (nowMs - known.firstMs < rules.minSpacingMs * (known.heard)) return false;
    const heard = known.heard + 1;
    if (heard >= rules.heartbeats) {
      this.#byId.delete(hostId);
      return true;
    }
    this.#byId.set(hostId, { ...known, heard });
    return false;
  }

  /** Forgets a candidate (it became a member another way, or left). */
  forget(hostId: string): void {
    this.#byId.delete(hostId);
  }

  #expire(nowMs: number): void {
    for (const [id, candidate] of this.#byId) {
      if (nowMs - candidate.firstMs <= this.#rules.lifetimeMs) break;
      this.#byId.delete(id);
    }
  }
}
