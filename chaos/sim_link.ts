/**
 * A simulated host's connection as its system sees it: the memory bus's
 * transport, with every message the host receives written into the run's
 * history (host, virtual time, subject, bytes). The simulation keeps the
 * bare transport to cut and close it.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type {
  MessageHandler,
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "../transport/transport.ts";
import { frameFingerprint, type History } from "./history.ts";

/** Wraps `inner` so that each delivery to `hostId` is recorded, timed by `clock`. */
export class SimLink implements Transport {
  readonly #inner: Transport;
  readonly #hostId: string;
  readonly #clock: Clock;
  readonly #startMs: number;
  readonly #history: History;

  /**
   * @param inner The bus's transport.
   * @param hostId The host it belongs to.
   * @param clock The simulation's clock.
   * @param startMs The time the history counts from.
   * @param history Where deliveries go.
   */
  constructor(inner: Transport, hostId: string, clock: Clock, startMs: number, history: History) {
    this.#inner = inner;
    this.#hostId = hostId;
    this.#clock = clock;
    this.#startMs = startMs;
    this.#history = history;
  }

  get maxPayloadBytes(): number {
    return this.#inner.maxPayloadBytes;
  }

  get status(): TransportStatus {
    return this.#inner.status;
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    this.#inner.publish(subject, data, reply);
  }

  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const request = this.#inner.request(subject, data, timeoutMs);
    request.then(
      (answer) => this.#record("answer", subject, answer),
      (err: Error) => this.#record("no-answer", subject, new Uint8Array(0), err.name),
    );
    return request;
  }

  respond(message: TransportMessage, data: Uint8Array): void {
    this.#inner.respond(message, data);
  }

  subscribe(subject: string, handler: MessageHandler): TransportSubscription {
    return this.#inner.subscribe(subject, (message) => {
      this.#record(message.noResponders ? "no-responders" : "recv", message.subject, message.data);
      handler(message);
    });
  }

  onStatus(listener: (status: TransportStatus) => void): () => void {
    return this.#inner.onStatus(listener);
  }

  flush(): Promise<void> {
    return this.#inner.flush();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #record(kind: string, subject: string, data: Uint8Array, why = ""): void {
    const t = this.#clock.now() - this.#startMs;
    this.#history.record(t, this.#hostId, kind, subject, frameFingerprint(data), why);
  }
}
