/**
 * Votes on an epoch this host never heard. A host can miss another's new
 * epoch: its announcements went out while this one was cut off for less than
 * a suspicion timeout (nobody noticed), and announcements go out on changes
 * only. When that epoch dies, the others count this host among its
 * observers and wait for its vote, which never comes: it refuses their
 * votes on an epoch it never heard (the seeded simulation found this, seeds
 * 300157 and 900598).
 *
 * So a member's vote on a newer epoch of a host is a question to this one,
 * when it is among that host's monitors (as the others count them; so a
 * made-up vote costs what a failure costs, whatever the cluster's size): it
 * asks every host to announce itself (a discovery, at most one per
 * suspicion timeout), and when, a suspicion timeout after that vote, it
 * still has heard nothing from that host (no announcement of any epoch),
 * it votes on that epoch as well and judges it lost. A vote cannot make a
 * host judge a live one this way: a live host answers the discovery. An
 * epoch more than {@linkcode MAX_EPOCH_AHEAD_MS} ahead of this host's clock
 * is not taken up, so a forged one cannot keep a dead host's next start out
 * for longer than that.
 *
 * @module
 */

import type { LostDeclaration } from "./lost_epochs.ts";

/** How far ahead of this host's clock an epoch may be (epochs are start times, in ms). */
export const MAX_EPOCH_AHEAD_MS = 60_000;
/** Hosts whose unheard epochs are followed at once, at most (a flood of made-up ones is dropped). */
export const MAX_FOLLOWED = 256;

interface Followed {
  readonly epoch: number;
  /** When the first vote on this epoch was heard. */
  readonly sinceMs: number;
}

/** The unheard epochs that members voted on, per host. */
export class UnheardEpochs {
  readonly #waitMs: number;
  readonly #followed = new Map<string, Followed>();
  #lastProbeMs = -Infinity;

  /** @param waitMs From the first vote to this host's own vote, and between discoveries, in ms. */
  constructor(waitMs: number) {
    this.#waitMs = waitMs;
  }

  /**
   * A member voted on an epoch of a host that this one never heard.
   *
   * @returns Whether to ask every host to announce itself now.
   */
  voted(lost: LostDeclaration, nowMs: number): boolean {
    if (!(lost.epoch <= nowMs + MAX_EPOCH_AHEAD_MS)) return false;
    const followed = this.#followed.get(lost.hostId);
    if (followed !== undefined && followed.epoch >= lost.epoch) return false;
    if (followed === undefined && this.#followed.size >= MAX_FOLLOWED) return false;
    this.#followed.set(lost.hostId, { epoch: lost.epoch, sinceMs: nowMs });
    if (nowMs - this.#lastProbeMs < this.#waitMs) return false;
    this.#lastProbeMs = nowMs;
    return true;
  }

  /**
   * The epochs followed for a wait, which this host now votes on and judges
   * lost, unless it heard their host meanwhile (`heardMs`: when it last
   * heard an announcement of that host, of any epoch) or now knows that
   * epoch or a newer one (`knownEpoch`). Each is returned or dropped once.
   */
  due(
    nowMs: number,
    heardMs: (hostId: string) => number | undefined,
    knownEpoch: (hostId: string) => number | undefined,
  ): LostDeclaration[] {
    const due: LostDeclaration[] = [];
    for (const [hostId, followed] of this.#followed) {
      const known = knownEpoch(hostId);
      if (known !== undefined && known >= followed.epoch) {
        this.#followed.delete(hostId);
        continue;
      }
      if (nowMs - followed.sinceMs < this.#waitMs) continue;
      this.#followed.delete(hostId);
      if ((heardMs(hostId) ?? -Infinity) >= followed.sinceMs) continue;
      due.push({ hostId, epoch: followed.epoch });
    }
    return due;
  }
}
