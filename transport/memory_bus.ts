/**
 * The in-memory bus: many hosts in one process, with the semantics of NATS
 * that the framework relies on: per-publisher order, wildcard subjects,
 * "no responders" for requests and for publishes with a reply subject,
 * a payload limit, and a disconnected state to simulate outages.
 *
 * @module
 */

import type {
  MessageHandler,
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "./transport.ts";
import { SubjectIndex } from "./_subject_index.ts";
import { type Clock, systemClock } from "../base/clock.ts";
import { NoRespondersError, PayloadTooLargeError, TransportClosedError } from "./errors.ts";
import { RequestTimeoutError } from "../base/errors.ts";

interface Subscriber {
  readonly pattern: string;
  readonly handler: MessageHandler;
  readonly owner: MemoryTransport;
}

/** Options of {@linkcode MemoryBus}. */
export interface MemoryBusOptions {
  /**
   * The largest payload, in bytes (NATS's default `max_payload`).
   * @default {1048576}
   */
  readonly maxPayloadBytes?: number;
  /**
   * The time source of request timeouts and of `flush` (a virtual clock in simulations).
   * @default {systemClock}
   */
  readonly clock?: Clock;
  /**
   * Delays each delivery by this many milliseconds of `clock` (simulated
   * network latency); deliveries from one publisher to one subscriber keep
   * their order, as on NATS.
   * @default {undefined} (delivered in the next microtask)
   */
  readonly deliveryDelayMs?: () => number;
}

/** A message bus in this process's memory. Connect one transport per host. */
export class MemoryBus {
  /** The largest payload, in bytes. */
  readonly maxPayloadBytes: number;
  /** The time source of request timeouts. */
  readonly clock: Clock;
  #subscribers = new Set<Subscriber>();
  /** The same subscribers by pattern: a bus of a thousand simulated hosts routes without a scan. */
  #index = new SubjectIndex<Subscriber>();
  #delayMs: (() => number) | undefined;
  /** When the last delayed delivery from a publisher to a subscriber is due. */
  #lastDue = new WeakMap<MemoryTransport, Map<Subscriber, number>>();
  #queue: (() => void)[] = [];
  #draining = false;
  #inboxes = 0;
  #routed = 0;

  /**
   * Makes an empty bus.
   *
   * @param options The payload limit.
   */
  constructor(options: MemoryBusOptions = {}) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
    this.clock = options.clock ?? systemClock;
    this.#delayMs = options.deliveryDelayMs;
  }

  /**
   * How many deliveries the bus has routed: one per subscriber a message
   * reached, as a NATS server counts its `out_msgs` (membership tests and
   * benchmarks read the traffic a cluster makes from it).
   */
  get routed(): number {
    return this.#routed;
  }

  /**
   * Makes a transport connected to this bus.
   *
   * @param movesBuffers Whether the transport says it moves buffers beside
   *   its data (the hosts of a process's port bus do; on a plain memory bus
   *   hosts encode everything, as over NATS).
   */
  connect(movesBuffers = false): MemoryTransport {
    return new MemoryTransport(this, movesBuffers);
  }

  /** @internal */
  add(subscriber: Subscriber): void {
    this.#subscribers.add(subscriber);
    this.#index.add(subscriber.pattern, subscriber);
  }

  /** @internal */
  remove(subscriber: Subscriber): void {
    if (this.#subscribers.delete(subscriber)) this.#index.remove(subscriber);
  }

  #subscribersOf(subject: string): Subscriber[] {
    return this.#index.match(subject);
  }

  /** @internal A fresh reply subject. */
  inbox(): string {
    return `_INBOX.memory.${++this.#inboxes}`;
  }

  /** @internal Routes a message: delivered in a later microtask, in publish order. */
  route(
    subject: string,
    data: Uint8Array,
    reply: string | undefined,
    from?: MemoryTransport,
    buffers?: readonly ArrayBuffer[],
  ): number {
    const targets = this.#subscribersOf(subject).filter((s) => s.owner.status === "connected");
    // A copy of the bytes (a Node Buffer's own `slice` would be a view of its pool).
    const copy = Uint8Array.prototype.slice.call(data);
    if (targets.length === 0 && reply !== undefined) {
      this.#enqueue(() => this.#deliver(reply, new Uint8Array(0), undefined, true));
    }
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i];
      // Buffers go to one subscriber as they are; any other gets copies (one of them may move them).
      const moved = buffers === undefined || buffers.length === 0
        ? undefined
        : i === 0
        ? buffers
        : buffers.map((b) => b.slice(0));
      const message: TransportMessage = moved === undefined
        ? { subject, data: copy, reply, noResponders: false }
        : { subject, data: copy, reply, noResponders: false, buffers: moved };
      const deliver = () => {
        if (this.#subscribers.has(target) && target.owner.status === "connected") {
          target.handler(message);
        }
      };
      if (this.#delayMs === undefined) this.#enqueue(deliver);
      else this.#later(from, target, Math.max(0, this.#delayMs()), deliver);
    }
    this.#routed += targets.length;
    return targets.length;
  }

  /** Delivers after a delay, never before an earlier message of the same publisher to the same subscriber. */
  #later(from: MemoryTransport | undefined, to: Subscriber, delayMs: number, deliver: () => void) {
    const now = this.clock.now();
    let due = now + delayMs;
    let earlier = -Infinity;
    if (from !== undefined) {
      const pairs = this.#lastDue.get(from) ?? new Map<Subscriber, number>();
      this.#lastDue.set(from, pairs);
      earlier = pairs.get(to) ?? -Infinity;
      due = Math.max(due, earlier);
      pairs.set(to, due);
    }
    // A timer still pending for the same pair (due now or later) must fire first.
    if (due <= now && earlier < now) this.#enqueue(deliver);
    else this.clock.setTimeout(() => this.#enqueue(deliver), due - now);
  }

  #deliver(subject: string, data: Uint8Array, reply: string | undefined, noResponders: boolean) {
    for (const s of this.#subscribersOf(subject)) {
      if (this.#subscribers.has(s) && s.owner.status === "connected") {
        s.handler({ subject, data, reply, noResponders });
      }
    }
  }

  #enqueue(delivery: () => void): void {
    this.#queue.push(delivery);
    if (this.#draining) return;
    this.#draining = true;
    queueMicrotask(() => {
      // Deliveries queued while draining run in the same pass, in order.
      for (let i = 0; i < this.#queue.length; i++) this.#queue[i]();
      this.#queue.length = 0;
      this.#draining = false;
    });
  }
}

/** One host's connection to a {@linkcode MemoryBus}. */
export class MemoryTransport implements Transport {
  readonly maxPayloadBytes: number;
  readonly movesBuffers: boolean;
  #bus: MemoryBus;
  #status: TransportStatus = "connected";
  #mine = new Set<Subscriber>();
  #listeners = new Set<(status: TransportStatus) => void>();

  /** Made by {@linkcode MemoryBus.connect}. */
  constructor(bus: MemoryBus, movesBuffers = false) {
    this.#bus = bus;
    this.maxPayloadBytes = bus.maxPayloadBytes;
    this.movesBuffers = movesBuffers;
  }

  get status(): TransportStatus {
    return this.#status;
  }

  /** Simulates losing (`false`) or regaining (`true`) the connection. */
  setConnected(connected: boolean): void {
    if (this.#status === "closed") return;
    const next = connected ? "connected" : "disconnected";
    if (next === this.#status) return;
    this.#status = next;
    for (const listener of this.#listeners) listener(next);
  }

  publish(
    subject: string,
    data: Uint8Array,
    reply?: string,
    buffers?: readonly ArrayBuffer[],
  ): void {
    this.#check(subject, data);
    this.#bus.route(subject, data, reply, this, this.movesBuffers ? buffers : undefined);
  }

  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    try {
      this.#check(subject, data);
    } catch (err) {
      return Promise.reject(err);
    }
    const inbox = this.#bus.inbox();
    return new Promise((resolve, reject) => {
      const clock = this.#bus.clock;
      const timer = clock.setTimeout(() => {
        subscription.unsubscribe();
        reject(new RequestTimeoutError(subject, timeoutMs));
      }, timeoutMs);
      const subscription = this.subscribe(inbox, (message) => {
        clock.clearTimeout(timer);
        subscription.unsubscribe();
        if (message.noResponders) reject(new NoRespondersError(subject));
        else resolve(message.data);
      });
      this.#bus.route(subject, data, inbox, this);
    });
  }

  respond(message: TransportMessage, data: Uint8Array): void {
    if (message.reply !== undefined) this.publish(message.reply, data);
  }

  subscribe(subject: string, handler: MessageHandler): TransportSubscription {
    const subscriber: Subscriber = { pattern: subject, handler, owner: this };
    this.#mine.add(subscriber);
    this.#bus.add(subscriber);
    return {
      unsubscribe: () => {
        this.#mine.delete(subscriber);
        this.#bus.remove(subscriber);
      },
    };
  }

  onStatus(listener: (status: TransportStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  flush(): Promise<void> {
    // On the bus's clock: a platform timer would resolve after a number of
    // virtual steps that depends on how fast the machine runs them.
    return new Promise((resolve) => this.#bus.clock.setTimeout(resolve, 0));
  }

  close(): Promise<void> {
    for (const subscriber of this.#mine) this.#bus.remove(subscriber);
    this.#mine.clear();
    if (this.#status !== "closed") {
      this.#status = "closed";
      for (const listener of this.#listeners) listener("closed");
    }
    return Promise.resolve();
  }

  #check(subject: string, data: Uint8Array): void {
    if (this.#status !== "connected") throw new TransportClosedError(this.#status);
    if (data.byteLength > this.maxPayloadBytes) {
      throw new PayloadTooLargeError(
        `a message to ${subject}`,
        data.byteLength,
        this.maxPayloadBytes,
      );
    }
  }
}
