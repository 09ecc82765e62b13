/**
 * When a host may not judge silences: the guards that keep a slow or
 * cut-off host from voting others lost. No votes while its own connection is
 * down, none for a grace period after it comes back (the others reconnect
 * one by one, each after nats.js's reconnect wait of about 2 s plus jitter),
 * and none in a check that ran late or while its own heartbeats come back
 * late (the host itself was stalled or flooded, so the silence may be its
 * own). It also remembers its last long outage: a host back from one takes
 * one member's vote about itself as a verdict.
 *
 * @module
 */

/**
 * After this host reconnects, how long it declares nobody lost, in
 * milliseconds: the others need up to nats.js's reconnect wait (2 s) plus
 * jitter (up to 1 s) to come back too.
 */
export const RECONNECT_GRACE_MS = 4_000;

/** What one check of the failure detector saw of this host itself. */
export interface SelfCheck {
  /** When the check ran, in clock milliseconds. */
  readonly nowMs: number;
  /** When the check before it ran. */
  readonly previousCheckMs: number;
  /** How much later than scheduled it ran, in milliseconds. */
  readonly lateMs: number;
  /** Whether this host's connection is up. */
  readonly connected: boolean;
  /** How long this host's oldest heartbeat not yet heard back has been on its way, in milliseconds. */
  readonly intakeLagMs: number;
}

/** The guards of one host's failure detector. */
export class VoteGuards {
  readonly #suspicionTimeoutMs: number;
  /** When this host's last outage (disconnected or stalled) began and ended. */
  #outage = { startMs: Infinity, endMs: -Infinity };
  /**
   * When the last outage long enough for the others to declare this host
   * lost ended (a shorter one after it does not hide it).
   */
  #longOutageEndMs = -Infinity;
  #inOutage = false;
  #startedAtMs = -Infinity;
  #wasConnected = true;
  #quietUntilMs = -Infinity;

  /** @param suspicionTimeoutMs Silence that makes a host suspected. */
  constructor(suspicionTimeoutMs: number) {
    this.#suspicionTimeoutMs = suspicionTimeoutMs;
  }

  /** The detector starts checking (a process still starting may run its first check late). */
  start(nowMs: number): void {
    this.#startedAtMs = nowMs;
  }

  /**
   * One check ran.
   *
   * @returns Whether this host can judge silences now (else it starts
   *   everyone's clock afresh: the silence may be its own).
   */
  checked(check: SelfCheck): boolean {
    const { nowMs, previousCheckMs, lateMs, connected, intakeLagMs } = check;
    const half = this.#suspicionTimeoutMs / 2;
    if (connected && !this.#wasConnected) this.#quietUntilMs = nowMs + RECONNECT_GRACE_MS;
    // Its own heartbeats coming back late: what it has not heard yet may be
    // queued behind a flood, like the beats of a stalled loop.
    // Not an outage, though: the host still heartbeats, so the others heard it.
    const behind = intakeLagMs > half;
    const stalled = lateMs > half;
    // A stall counts once the host has run for a suspicion timeout (a process
    // still starting may run its first checks late); a cut counts however
    // soon after the start it began: the host was admitted by then, and the
    // others may declare it lost like any other.
    const announcedForLong = previousCheckMs - this.#startedAtMs >= this.#suspicionTimeoutMs;
    if (!connected || (stalled && (announcedForLong || this.#inOutage))) {
      // An outage begins at the last check that went well.
      const startMs = this.#inOutage
        ? this.#outage.startMs
        : Math.max(previousCheckMs, this.#startedAtMs);
      this.#outage = { startMs, endMs: nowMs };
    }
    const { startMs, endMs } = this.#outage;
    if (endMs - startMs >= this.#suspicionTimeoutMs) this.#longOutageEndMs = endMs;
    this.#inOutage = !connected;
    this.#wasConnected = connected;
    return connected && nowMs >= this.#quietUntilMs && !stalled && !behind;
  }

  /** Whether this host may cast a vote now (connected, and not just back). */
  mayVote(nowMs: number, connected: boolean): boolean {
    return connected && nowMs >= this.#quietUntilMs;
  }

  /**
   * Whether this host came back, within ten suspicion timeouts, from an
   * outage long enough for the others to declare it lost (a short stall, as
   * when a process starts, is not one).
   */
  recentLongOutage(nowMs: number): boolean {
    return nowMs - this.#longOutageEndMs <= 10 * this.#suspicionTimeoutMs;
  }
}
