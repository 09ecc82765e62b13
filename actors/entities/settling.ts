/**
 * What a host sent lately to a host that has just left gracefully waits
 * behind: until that host said that everything this one sent it was handled
 * or relayed to the entities' new hosts (cluster/leave_fences.ts), this
 * host's new messages for those entities are held here, in order, and then
 * go to the new hosts behind the relayed ones. Held are the messages of the
 * activations that forwarded to the host that left, and the sends of entity
 * refs to the shards this host routed there. Without that word they go on
 * after {@linkcode LEAVE_SETTLE_MS}.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../../base/clock.ts";
import type { Activation } from "./activation.ts";

/**
 * The longest messages wait for a host that left, in milliseconds: more
 * than the leaving host waits for its peers' answers.
 */
export const LEAVE_SETTLE_MS = 5_000;

/** The most sends held for one shard; beyond it a send is refused (`MailboxFullError`). */
export const MAX_HELD_SENDS = 10_000;

/** What waits on one host that left. */
interface Waiting {
  readonly activations: Activation[];
  /** Held sends of entity refs, by shard (`type` and index), in order. */
  readonly sends: Map<string, (() => void)[]>;
  readonly timer: TimerHandle;
}

/** What waits on hosts that left, by host. */
export class Settling {
  readonly #clock: () => Clock;
  readonly #byHost = new Map<string, Waiting>();
  /** The host each held shard waits on, by `type` and index. */
  readonly #shards = new Map<string, string>();

  /** @param clock The host's clock (read late: the runtime sets it after the registry). */
  constructor(clock: () => Clock) {
    this.#clock = clock;
  }

  /**
   * Holds these activations, and the sends to these shards, until `hostId`
   * settles or the time is up; then `release` gets the activations, and the
   * held sends run in order.
   */
  hold(
    hostId: string,
    activations: readonly Activation[],
    shards: readonly { type: string; index: number }[],
    release: (activations: Activation[]) => void,
  ): void {
    if (activations.length === 0 && shards.length === 0) return;
    let waiting = this.#byHost.get(hostId);
    if (waiting === undefined) {
      const clock = this.#clock();
      const timer = clock.setTimeout(() => release(this.take(hostId)), LEAVE_SETTLE_MS);
      clock.keepAlive(timer, false);
      waiting = { activations: [], sends: new Map(), timer };
      this.#byHost.set(hostId, waiting);
    }
    waiting.activations.push(...activations);
    for (const { type, index } of shards) {
      const name = shardKey(type, index);
      this.#shards.set(name, hostId);
      if (!waiting.sends.has(name)) waiting.sends.set(name, []);
    }
  }

  /** Whether some shard's sends wait on a host that left. */
  get holding(): boolean {
    return this.#shards.size > 0;
  }

  /**
   * Holds a send to a shard that waits on a host that left.
   *
   * @returns `"held"`; `"full"` when the shard holds its most already;
   *   `"free"` when the shard waits on nothing (send it now).
   */
  holdSend(type: string, index: number, send: () => void): "held" | "full" | "free" {
    const name = shardKey(type, index);
    const hostId = this.#shards.get(name);
    const queue = hostId === undefined ? undefined : this.#byHost.get(hostId)?.sends.get(name);
    if (queue === undefined) return "free";
    if (queue.length >= MAX_HELD_SENDS) return "full";
    queue.push(send);
    return "held";
  }

  /**
   * Stops waiting on `hostId`: its held sends run (in order, each shard's
   * after the one before), and its activations are returned.
   */
  take(hostId: string): Activation[] {
    const waiting = this.#byHost.get(hostId);
    if (waiting === undefined) return [];
    this.#byHost.delete(hostId);
    this.#clock().clearTimeout(waiting.timer);
    for (const name of waiting.sends.keys()) this.#shards.delete(name);
    for (const queue of waiting.sends.values()) for (const send of queue) send();
    return waiting.activations;
  }
}

function shardKey(type: string, index: number): string {
  return `${type}#${index}`;
}
