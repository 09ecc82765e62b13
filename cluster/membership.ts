/**
 * Membership and failure detection: every host heartbeats (its announcement,
 * every `heartbeatIntervalMs`), and every host declares a host lost when it
 * has not heard from it for `suspicionTimeoutMs`. Expiry comes from
 * heartbeats and local timestamps only, never from store TTLs.
 *
 * A declaration is about one *epoch* of a host (a process start, or a rejoin
 * after it was declared lost). It is published, so every host converges on
 * it, and the lost host learns it too if it comes back (it was frozen or cut
 * off): it then stops its actors and rejoins with a new epoch. Heartbeats of
 * a lost epoch are ignored and answered with the declaration again.
 *
 * Guards keep a slow host from declaring others lost: no declarations while
 * its own connection is down, none for a grace period after it comes back
 * (the others reconnect one by one, each after nats.js's reconnect wait of
 * about 2 s plus jitter), and none in a check that ran late (the host itself
 * was stalled, so the silence may be its own).
 *
 * @module
 */

import type { Clock, TimerHandle } from "../base/clock.ts";
import { type ClusterView, isMember } from "./view.ts";

/** Default heartbeat interval, in milliseconds. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 250;
/** Default silence after which a host is declared lost, in milliseconds. */
export const DEFAULT_SUSPICION_TIMEOUT_MS = 1_000;
/**
 * After this host reconnects, how long it declares nobody lost, in
 * milliseconds: the others need up to nats.js's reconnect wait (2 s) plus
 * jitter (up to 1 s) to come back too.
 */
export const RECONNECT_GRACE_MS = 4_000;

/** A declaration that one epoch of a host is lost. */
export interface LostDeclaration {
  /** The lost host. */
  readonly hostId: string;
  /** Its epoch that is lost. */
  readonly epoch: number;
}

/** What the failure detector needs around it. */
export interface MembershipSeams {
  /** This host's id. */
  readonly selfId: string;
  /** The time source and timers. */
  readonly clock: Clock;
  /** The view to update. */
  readonly view: ClusterView;
  /** Whether this host's connection is up. */
  readonly connected: () => boolean;
  /** Publishes a declaration to every host. */
  readonly declare: (lost: LostDeclaration) => void;
  /** Told when a host is declared lost (by this host or another). */
  readonly onLost: (lost: LostDeclaration) => void;
}

/** The failure detector of one host. */
export class Membership {
  #seams: MembershipSeams;
  #heartbeatIntervalMs: number;
  #suspicionTimeoutMs: number;
  #checkEveryMs: number;
  #timer: TimerHandle | undefined;
  #lastCheckMs: number;
  /** The lost epoch of each host declared lost. */
  #lost = new Map<string, number>();
  /** When a zombie was last told it is lost, to avoid answering every heartbeat. */
  #toldZombie = new Map<string, number>();
  #wasConnected = true;
  #quietUntilMs = -Infinity;

  /**
   * @param seams Clock, view and publishing.
   * @param heartbeatIntervalMs How often hosts heartbeat.
   * @param suspicionTimeoutMs Silence that makes a host lost.
   */
  constructor(seams: MembershipSeams, heartbeatIntervalMs: number, suspicionTimeoutMs: number) {
    this.#seams = seams;
    this.#heartbeatIntervalMs = heartbeatIntervalMs;
    this.#suspicionTimeoutMs = suspicionTimeoutMs;
    this.#checkEveryMs = Math.max(10, Math.min(heartbeatIntervalMs, suspicionTimeoutMs / 4));
    this.#lastCheckMs = seams.clock.now();
  }

  /** Starts checking. */
  start(): void {
    this.#schedule();
  }

  /** Stops checking. */
  stop(): void {
    if (this.#timer !== undefined) this.#seams.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Whether a heartbeat of this host and epoch comes from a lost epoch (a
   * zombie). Then the declaration is published again (at most once per
   * heartbeat interval) so that the zombie learns it.
   */
  isZombie(hostId: string, epoch: number): boolean {
    const lostEpoch = this.#lost.get(hostId);
    if (lostEpoch === undefined || epoch > lostEpoch) return false;
    const now = this.#seams.clock.now();
    if (now - (this.#toldZombie.get(hostId) ?? -Infinity) >= this.#heartbeatIntervalMs) {
      this.#toldZombie.set(hostId, now);
      this.#seams.declare({ hostId, epoch: lostEpoch });
    }
    return true;
  }

  /** A declaration arrived (or this host made it): record it and tell the listener once. */
  declared(lost: LostDeclaration): void {
    if (lost.hostId === this.#seams.selfId) return;
    const known = this.#lost.get(lost.hostId);
    if (known !== undefined && known >= lost.epoch) return;
    const host = this.#seams.view.get(lost.hostId);
    if (host !== undefined && host.epoch > lost.epoch) return;
    this.#lost.set(lost.hostId, lost.epoch);
    this.#seams.view.mark(lost.hostId, "lost", this.#seams.clock.now());
    this.#seams.onLost(lost);
  }

  #schedule(): void {
    this.#timer = this.#seams.clock.setTimeout(() => {
      this.#check();
      this.#schedule();
    }, this.#checkEveryMs);
    this.#seams.clock.keepAlive(this.#timer, false);
  }

  #check(): void {
    const { clock, view, connected } = this.#seams;
    const now = clock.now();
    const late = now - this.#lastCheckMs - this.#checkEveryMs;
    this.#lastCheckMs = now;
    const isConnected = connected();
    if (isConnected && !this.#wasConnected) this.#quietUntilMs = now + RECONNECT_GRACE_MS;
    this.#wasConnected = isConnected;
    if (!isConnected || now < this.#quietUntilMs || late > this.#suspicionTimeoutMs / 2) {
      // This host could not hear anyone (disconnected, just back, or stalled):
      // the silence may be its own. Start everyone's clock afresh instead of declaring.
      view.refreshAlive(now);
      return;
    }
    for (const host of view.hosts()) {
      // An unreachable host (its inbox bounced) is still only suspected: it is
      // declared lost like a silent one, so that its actors move.
      if (host.self || !isMember(host.state)) continue;
      if (now - host.lastSeenMs > this.#suspicionTimeoutMs) {
        const lost = { hostId: host.hostId, epoch: host.epoch };
        this.declared(lost);
        this.#seams.declare(lost);
      }
    }
  }
}
