/**
 * Leave fences: a graceful leave that loses and reorders no message. A
 * host's goodbye travels apart from its peers' messages to it, so a peer
 * goes on sending to it until it hears the goodbye, and those messages may
 * still be on their way when it closes. So the host that leaves waits,
 * still receiving (and relaying its entities' messages to their new hosts),
 * until each peer has answered its goodbye with frame 13 (`leaveSeen`: "I
 * saw it, nothing more from me"), sent on the same path as that peer's
 * messages, so behind all of them. It answers each with frame 14
 * (`leaveSettled`) once what came before was handled or relayed, with its
 * relays sent first: a peer holds its new messages for the leaving host's
 * entities until then, and sends them to their new hosts after the relayed
 * ones. A peer that is lost, or silent past the shutdown's deadline, is not
 * waited for. See docs/PROTOCOL.md, "Leaving".
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";

/**
 * The longest a leaving host waits for its peers to answer its goodbye, in
 * milliseconds: a peer whose loop is stalled longer may still send to it,
 * and what it sends after the host closed is lost.
 */
export const LEAVE_FENCE_MS = 3_000;

/** What the fences of one host work with. */
export interface LeaveFenceSeams {
  readonly clock: Clock;
  /**
   * Answers a peer's frame 13 with frame 14, after sending every relay
   * queued so far (this host's batches to any host are flushed first).
   */
  readonly settle: (hostId: string) => void;
}

/** The leaving side of the fences of one host. */
export class LeaveFences {
  readonly #seams: LeaveFenceSeams;
  /** The peers whose frame 13 this host still waits for, once it said goodbye. */
  #awaiting: Set<string> | undefined;
  #changed: (() => void) | undefined;

  /** @param seams Its clock, and how it answers. */
  constructor(seams: LeaveFenceSeams) {
    this.#seams = seams;
  }

  /** This host says goodbye: it waits for each of these peers to answer (the ones that read frame 13). */
  begin(peers: Iterable<string>): void {
    this.#awaiting = new Set(peers);
  }

  /** How many peers this host still waits for (0 before its goodbye). */
  get awaiting(): number {
    return this.#awaiting?.size ?? 0;
  }

  /** Frame 13 from `hostId`: it sends this host nothing more; it is answered. */
  seen(hostId: string): void {
    this.#seams.settle(hostId);
    if (this.#awaiting?.delete(hostId)) this.#changed?.();
  }

  /** A peer is gone (lost, or it left too): it is not waited for. */
  hostGone(hostId: string): void {
    if (this.#awaiting?.delete(hostId)) this.#changed?.();
  }

  /** Resolves once every awaited peer answered or is gone, or at `deadlineMs` (this host's clock). */
  until(deadlineMs: number): Promise<void> {
    const { clock } = this.#seams;
    return new Promise((resolve) => {
      let timer: ReturnType<Clock["setTimeout"]> | undefined;
      const check = () => {
        if (this.awaiting > 0 && clock.now() < deadlineMs) return;
        this.#changed = undefined;
        if (timer !== undefined) clock.clearTimeout(timer);
        resolve();
      };
      this.#changed = check;
      check();
      if (this.#changed === check) {
        timer = clock.setTimeout(() => {
          timer = undefined;
          this.#awaiting?.clear();
          check();
        }, Math.max(0, deadlineMs - clock.now()));
      }
    });
  }
}
