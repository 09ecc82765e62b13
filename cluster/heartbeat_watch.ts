/**
 * The heartbeat subjects a host listens to: those of the hosts it monitors
 * (`R.<id>.hb`, or `R.<id>.hb.slow` for those it is a slow monitor of, and
 * only those, so that its intake does not grow with the cluster), and its
 * own, heard back through the server behind everything else it receives.
 * How long its oldest heartbeat not yet heard back has been on its way is
 * how far behind its intake is: a host flooded with messages hears everyone
 * late, so a silence it sees then may be its own (`membership.ts` votes
 * nobody lost meanwhile).
 *
 * @module
 */

import type { Transport, TransportMessage, TransportSubscription } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";

/** One host's heartbeat subscriptions. */
export class HeartbeatWatch {
  readonly #transport: Transport;
  readonly #subjects: Subjects;
  readonly #onHeartbeat: (message: TransportMessage) => void;
  /** The subscriptions to the hosts this host monitors, and their subjects, by host id. */
  readonly #watched = new Map<string, { subject: string; subscription: TransportSubscription }>();
  readonly #own: TransportSubscription;
  /** When the oldest heartbeat of this host's not yet heard back was sent. */
  #unechoedSinceMs: number | undefined;

  /**
   * @param transport The connection.
   * @param subjects The cluster's subjects (of this host).
   * @param selfId This host's id.
   * @param onHeartbeat Told each heartbeat of a monitored host.
   */
  constructor(
    transport: Transport,
    subjects: Subjects,
    selfId: string,
    onHeartbeat: (message: TransportMessage) => void,
  ) {
    this.#transport = transport;
    this.#subjects = subjects;
    this.#onHeartbeat = onHeartbeat;
    this.#own = transport.subscribe(
      subjects.heartbeatsOf(selfId),
      () => this.#unechoedSinceMs = undefined,
    );
  }

  /** This host published a heartbeat at `nowMs`. */
  sent(nowMs: number): void {
    this.#unechoedSinceMs ??= nowMs;
  }

  /** How far behind this host's intake is, in milliseconds (0 when nothing is on its way). */
  lagMs(nowMs: number): number {
    return this.#unechoedSinceMs === undefined ? 0 : nowMs - this.#unechoedSinceMs;
  }

  /** The connection went down or came back: what was on its way is gone. */
  reset(): void {
    this.#unechoedSinceMs = undefined;
  }

  /**
   * Listens to the heartbeats of exactly these hosts.
   *
   * @param hostIds The hosts this host monitors.
   * @param slowly Whether it hears one of them on its sparse subject (`R.<id>.hb.slow`).
   */
  watch(hostIds: Iterable<string>, slowly: (hostId: string) => boolean = () => false): void {
    const wanted = new Map<string, string>();
    for (const id of hostIds) {
      const subjects = this.#subjects;
      wanted.set(id, slowly(id) ? subjects.slowHeartbeatsOf(id) : subjects.heartbeatsOf(id));
    }
    for (const [id, watched] of this.#watched) {
      if (wanted.get(id) === watched.subject) continue;
      watched.subscription.unsubscribe();
      this.#watched.delete(id);
    }
    for (const [id, subject] of wanted) {
      if (this.#watched.has(id)) continue;
      try {
        const subscription = this.#transport.subscribe(subject, this.#onHeartbeat);
        this.#watched.set(id, { subject, subscription });
      } catch {
        // Closed: nothing more to hear.
      }
    }
  }

  /** Stops listening. */
  stop(): void {
    this.#own.unsubscribe();
    for (const { subscription } of this.#watched.values()) subscription.unsubscribe();
    this.#watched.clear();
  }
}
