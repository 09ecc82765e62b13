/**
 * Votes on an epoch this host never heard. A host can miss another's new
 * epoch: its announcements went out while this one was cut off for less than
 * a suspicion timeout (nobody noticed), or this one fenced and rejoined with
 * its old view. When that epoch dies, the others count this host among its
 * observers and wait for its vote, which never comes: it refuses their
 * votes on an epoch it never heard (the seeded simulation found this, seeds
 * 5989, 100729, 300157 and 900598).
 *
 * So a member's vote on a newer epoch of a host is a question to this one,
 * when it is among that host's monitors (as the others count them; so a
 * made-up vote costs what a failure costs, whatever the cluster's size): it
 * asks every host to announce itself (a discovery, at most one per wait),
 * and when, a full wait after that discovery, it still has heard nothing
 * from that host (no announcement, heartbeat or discovery answer of any
 * epoch), it votes on that epoch as well. Anything heard from that host
 * drops the question at once. The vote is this host's own observation (a
 * silence after it asked), like any other vote, and it judges nothing: only
 * hosts that admitted that epoch count it, with the other votes, by the
 * usual rule; so one member's forged vote never makes a verdict by itself,
 * and a vote on an epoch nobody admitted counts nowhere. (Of a host that is
 * no member here, the epoch voted on is held lost all the same, so that the
 * other monitors' votes on it are not a question again.) An epoch more than
 * {@linkcode MAX_EPOCH_AHEAD_MS} ahead of this host's clock is not taken up.
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
  /** When everyone was asked to announce after the vote (undefined: not yet). */
  askedMs: number | undefined;
}

/** The unheard epochs that members voted on, per host, until heard of or voted on here. */
export class UnheardEpochs {
  readonly #waitMs: number;
  readonly #followed = new Map<string, Followed>();
  #lastAskMs = -Infinity;

  /** @param waitMs From a discovery to this host's own vote, and between two discoveries, in ms. */
  constructor(waitMs: number) {
    this.#waitMs = waitMs;
  }

  /** A member voted on an epoch of a host that this one never heard: it is followed. */
  voted(lost: LostDeclaration, nowMs: number): void {
    if (!(lost.epoch <= nowMs + MAX_EPOCH_AHEAD_MS)) return;
    const followed = this.#followed.get(lost.hostId);
    if (followed !== undefined && followed.epoch >= lost.epoch) return;
    if (followed === undefined && this.#followed.size >= MAX_FOLLOWED) return;
    this.#followed.set(lost.hostId, { epoch: lost.epoch, askedMs: undefined });
  }

  /** Something of `hostId` was heard (an announcement, heartbeat or answer of any epoch): it is alive. */
  heardFrom(hostId: string): void {
    this.#followed.delete(hostId);
  }

  /**
   * Whether to ask every host to announce itself now: an epoch is followed
   * that no discovery was asked for since its vote, and the last was a wait
   * ago or more. Such epochs count as asked from now.
   */
  ask(nowMs: number): boolean {
    if (nowMs - this.#lastAskMs < this.#waitMs) return false;
    let asked = false;
    for (const followed of this.#followed.values()) {
      if (followed.askedMs !== undefined) continue;
      followed.askedMs = nowMs;
      asked = true;
    }
    if (asked) this.#lastAskMs = nowMs;
    return asked;
  }

  /**
   * The followed epochs that this host votes on now: asked about a full
   * wait ago, and nothing heard of their host since (`heardFrom` drops
   * them). One this host knows by now (`knownEpoch`: the epoch of that host
   * it holds, a member or lost, that one or newer) is dropped instead: the
   * usual rules take it. Each is returned or dropped once.
   */
  due(nowMs: number, knownEpoch: (hostId: string) => number | undefined): LostDeclaration[] {
    const due: LostDeclaration[] = [];
    for (const [hostId, followed] of this.#followed) {
      const known = knownEpoch(hostId);
      if (known !== undefined && known >= followed.epoch) {
        this.#followed.delete(hostId);
        continue;
      }
      if (followed.askedMs === undefined || nowMs - followed.askedMs < this.#waitMs) continue;
      this.#followed.delete(hostId);
      due.push({ hostId, epoch: followed.epoch });
    }
    return due;
  }
}
