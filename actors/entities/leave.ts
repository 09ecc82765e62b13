/**
 * A graceful leave of a host with entities: before it announces that it
 * leaves, it hands every shard it holds to the host that owns it once this
 * one is gone (its entities passivate with their state saved, then its claim
 * is released and the held messages follow in order); until it closes, it
 * relays what still reaches it to the shards' new hosts, and it waits for
 * the answers of the asks it relayed. These are the conditions it waits on,
 * each with the shutdown's deadline. See docs/cluster.md, "Entities".
 *
 * @module
 */

import type { Clock } from "../../base/clock.ts";

/** Waits on conditions of a leave that change as shards are released and relays answered. */
export class LeaveWaits {
  readonly #clock: () => Clock;
  readonly #waiters = new Set<() => void>();
  /** Asks relayed to another host whose answer has not come back yet. */
  #relaying = 0;

  /** @param clock The host's clock (read late: the runtime sets it after the registry). */
  constructor(clock: () => Clock) {
    this.#clock = clock;
  }

  /** Whether every relayed ask was answered. */
  get relayed(): boolean {
    return this.#relaying === 0;
  }

  /** Counts one relayed ask until it settles. */
  relay(answer: Promise<void>): void {
    this.#relaying++;
    void answer.finally(() => {
      this.#relaying--;
      this.changed();
    });
  }

  /** Something a waiter may wait on changed: each checks its condition again. */
  changed(): void {
    for (const check of [...this.#waiters]) check();
  }

  /**
   * Resolves when `done()` holds, checked at once and after each change, or
   * at `deadlineMs` (what is unfinished then goes with the shutdown).
   */
  until(done: () => boolean, deadlineMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    const clock = this.#clock();
    return new Promise((resolve) => {
      const finish = () => {
        clock.clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const timer = clock.setTimeout(finish, Math.max(0, deadlineMs - clock.now()));
      this.#waiters.add(check);
    });
  }
}
