/**
 * Votes published again on an epoch already judged lost here: to a zombie
 * of that epoch that still heartbeats (so that it learns and fences
 * itself), and to a member still voting on it (it missed the verdict's
 * votes while cut off). Bounded both ways: at most one a heartbeat interval
 * per host, and a late voter gets a few, never a loop.
 *
 * @module
 */

import { type LostDeclaration, MAX_LOST_EPOCHS } from "./lost_epochs.ts";

/** How many times one late voter is reminded of one verdict at most. */
const REMINDERS_PER_VOTER = 3;

/** The reminders one host sends. */
export class LostReminders {
  readonly #heartbeatIntervalMs: number;
  readonly #declare: (lost: LostDeclaration) => void;
  /** When a zombie or a late voter was last told an epoch is lost, to avoid answering every message. */
  readonly #told = new Map<string, number>();
  /** Reminders sent, by `hostId@epoch/voter`. */
  readonly #reminded = new Map<string, number>();

  /**
   * @param heartbeatIntervalMs Least time between two reminders about one host.
   * @param declare Publishes this host's vote to every host.
   */
  constructor(heartbeatIntervalMs: number, declare: (lost: LostDeclaration) => void) {
    this.#heartbeatIntervalMs = heartbeatIntervalMs;
    this.#declare = declare;
  }

  /** Reminds `voter`, which votes on an epoch judged here, `REMINDERS_PER_VOTER` times at most. */
  remindVoter(voter: string, hostId: string, lostEpoch: number, nowMs: number): void {
    const k = `${hostId}@${lostEpoch}/${voter}`;
    const sent = this.#reminded.get(k) ?? 0;
    if (sent >= REMINDERS_PER_VOTER) return;
    if (this.#reminded.size >= MAX_LOST_EPOCHS) this.#reminded.clear();
    this.#reminded.set(k, sent + 1);
    this.remind(hostId, lostEpoch, nowMs);
  }

  /** Publishes this host's vote on a lost epoch again, at most once per heartbeat interval. */
  remind(hostId: string, lostEpoch: number, nowMs: number): void {
    if (nowMs - (this.#told.get(hostId) ?? -Infinity) < this.#heartbeatIntervalMs) return;
    this.#told.set(hostId, nowMs);
    if (this.#told.size > MAX_LOST_EPOCHS) this.#told.clear();
    this.#declare({ hostId, epoch: lostEpoch });
  }
}
