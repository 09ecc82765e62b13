/**
 * The bus of the hosts of one process: the memory bus on the main thread,
 * reached by hosts on workers through `MessagePort`s. A worker's
 * {@linkcode PortTransport} batches what it publishes and subscribes into one
 * message per microtask; the hub ({@linkcode PortHub}) routes on the memory
 * bus with its semantics (per-publisher order, wildcards, "no responders",
 * a payload limit) and batches deliveries to each worker the same way. No
 * server is needed.
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
import type { FromHub, ToHub } from "./_port_messages.ts";
import { MemoryBus, type MemoryTransport } from "./memory_bus.ts";
import { NoRespondersError, PayloadTooLargeError, TransportClosedError } from "./errors.ts";
import { RequestTimeoutError } from "../base/errors.ts";

/** The largest payload on the bus of one process by default, in bytes (256 MiB). */
export const DEFAULT_PORT_BUS_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** Messages posted in one microtask, sent as one batch. */
class Batcher<T> {
  #pending: T[] = [];
  #send: (batch: T[]) => void;

  constructor(send: (batch: T[]) => void) {
    this.#send = send;
  }

  push(item: T): void {
    if (this.#pending.length === 0) queueMicrotask(() => this.flush());
    this.#pending.push(item);
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#send(batch);
  }
}

/**
 * A copy of `data` in a buffer of its own, which can move. Not `data.slice()`:
 * for a Node `Buffer` (what msgpackr returns) that is a view of a shared
 * pool, and moving the pool would detach every other message in it.
 */
function copyOf(data: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(data);
}

/**
 * The buffers to move with a batch: each operation's buffers at `at`, each
 * once, none that moved already (a detached buffer cannot move again).
 */
function movable(batch: readonly (readonly unknown[])[], at: number): ArrayBuffer[] {
  const moved = new Set<ArrayBuffer>();
  for (const op of batch) {
    const buffers = op[at] as readonly ArrayBuffer[] | null | undefined;
    if (buffers === null || buffers === undefined) continue;
    for (const b of buffers) if ((b as { detached?: boolean }).detached !== true) moved.add(b);
  }
  return [...moved];
}

/** The main thread's end: a memory bus that workers join through ports. */
export class PortHub {
  /** The bus itself: the main thread's own hosts connect to it directly. */
  readonly bus: MemoryBus;
  #ports = new Set<MessagePort>();

  /** @param maxPayloadBytes The largest payload routed. */
  constructor(maxPayloadBytes = DEFAULT_PORT_BUS_MAX_PAYLOAD_BYTES) {
    this.bus = new MemoryBus({ maxPayloadBytes });
  }

  /** A transport for a host on the main thread (it moves buffers to the workers). */
  connect(): MemoryTransport {
    return this.bus.connect(true);
  }

  /**
   * Serves a worker's port: what it publishes is routed on the bus, what it
   * subscribes to is delivered to it.
   *
   * @param port The hub's end of a port whose other end goes to a {@linkcode PortTransport}.
   * @returns A function that ends the worker's connection (its subscriptions stop).
   */
  attach(port: MessagePort): () => void {
    const transport = this.bus.connect(true);
    const subscriptions = new Map<number, TransportSubscription>();
    const out = new Batcher<FromHub>((batch) => {
      try {
        port.postMessage(batch, movable(batch, 6));
      } catch {
        // The worker is gone.
      }
    });
    const end = () => {
      if (!this.#ports.delete(port)) return;
      void transport.close();
      subscriptions.clear();
      port.close();
    };
    this.#ports.add(port);
    port.onmessage = (event: MessageEvent<ToHub[]>) => {
      for (const op of event.data) {
        switch (op[0]) {
          case "sub": {
            const sid = op[1];
            subscriptions.set(
              sid,
              transport.subscribe(
                op[2],
                (m) =>
                  out.push([
                    "msg",
                    sid,
                    m.subject,
                    m.data,
                    m.reply ?? null,
                    m.noResponders,
                    m.buffers ?? null,
                  ]),
              ),
            );
            break;
          }
          case "unsub":
            subscriptions.get(op[1])?.unsubscribe();
            subscriptions.delete(op[1]);
            break;
          case "pub":
            try {
              transport.publish(op[1], op[2], op[3] ?? undefined, op[4] ?? undefined);
            } catch {
              // Checked on the worker's side already; the bus is closing.
            }
            break;
          case "flush":
            // Deliveries of what came before are queued in this microtask pass.
            queueMicrotask(() => out.push(["flushed", op[1]]));
            break;
          case "close":
            end();
            return;
        }
      }
    };
    return end;
  }

  /** Ends every worker's connection. */
  close(): void {
    for (const port of [...this.#ports]) {
      try {
        port.postMessage([["status", "closed"]] satisfies FromHub[]);
      } catch {
        // Gone already.
      }
      port.close();
    }
    this.#ports.clear();
  }
}

/** A host on a worker: its connection to the hub of its process. */
export class PortTransport implements Transport {
  readonly maxPayloadBytes: number;
  #port: MessagePort;
  #status: TransportStatus = "connected";
  #handlers = new Map<number, MessageHandler>();
  #nextSid = 0;
  #inboxes = 0;
  #inboxPrefix = `_INBOX.port.${crypto.randomUUID().slice(0, 8)}`;
  #flushes = new Map<number, () => void>();
  #nextFlush = 0;
  #listeners = new Set<(status: TransportStatus) => void>();
  #out: Batcher<ToHub>;

  /**
   * @param port This worker's end of a port served by {@linkcode PortHub.attach}.
   * @param maxPayloadBytes The hub's payload limit.
   */
  constructor(port: MessagePort, maxPayloadBytes = DEFAULT_PORT_BUS_MAX_PAYLOAD_BYTES) {
    this.#port = port;
    this.maxPayloadBytes = maxPayloadBytes;
    this.#out = new Batcher((batch) => {
      // Published bytes were copied when published: they move to the hub, with the buffers given up.
      const moved = movable(batch, 4);
      for (const op of batch) if (op[0] === "pub") moved.push(op[2].buffer as ArrayBuffer);
      this.#port.postMessage(batch, moved);
    });
    port.onmessage = (event: MessageEvent<FromHub[]>) => {
      for (const op of event.data) this.#receive(op);
    };
  }

  get status(): TransportStatus {
    return this.#status;
  }

  readonly movesBuffers = true;

  publish(
    subject: string,
    data: Uint8Array,
    reply?: string,
    buffers?: readonly ArrayBuffer[],
  ): void {
    this.#check(subject, data);
    // A copy: the caller may reuse its buffer once this returns (as on NATS).
    this.#out.push([
      "pub",
      subject,
      copyOf(data),
      reply ?? null,
      buffers === undefined || buffers.length === 0 ? null : buffers,
    ]);
  }

  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    try {
      this.#check(subject, data);
    } catch (err) {
      return Promise.reject(err);
    }
    const inbox = `${this.#inboxPrefix}.${++this.#inboxes}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new RequestTimeoutError(subject, timeoutMs));
      }, timeoutMs);
      const subscription = this.subscribe(inbox, (message) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        if (message.noResponders) reject(new NoRespondersError(subject));
        else resolve(message.data);
      });
      this.#out.push(["pub", subject, copyOf(data), inbox, null]);
    });
  }

  respond(message: TransportMessage, data: Uint8Array): void {
    if (message.reply !== undefined) this.publish(message.reply, data);
  }

  subscribe(subject: string, handler: MessageHandler): TransportSubscription {
    const sid = ++this.#nextSid;
    this.#handlers.set(sid, handler);
    this.#out.push(["sub", sid, subject]);
    return {
      unsubscribe: () => {
        if (!this.#handlers.delete(sid) || this.#status === "closed") return;
        this.#out.push(["unsub", sid]);
      },
    };
  }

  onStatus(listener: (status: TransportStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  flush(): Promise<void> {
    if (this.#status === "closed") return Promise.resolve();
    const n = ++this.#nextFlush;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#flushes.set(n, resolve);
    this.#out.push(["flush", n]);
    this.#out.flush();
    return promise;
  }

  async close(): Promise<void> {
    if (this.#status === "closed") return;
    await this.flush();
    this.#out.push(["close"]);
    this.#out.flush();
    this.#setStatus("closed");
    this.#handlers.clear();
    this.#port.close();
  }

  #receive(op: FromHub): void {
    switch (op[0]) {
      case "msg": {
        const handler = this.#handlers.get(op[1]);
        const message = { subject: op[2], data: op[3], reply: op[4] ?? undefined };
        handler?.(
          op[6] === null
            ? { ...message, noResponders: op[5] }
            : { ...message, noResponders: op[5], buffers: op[6] },
        );
        return;
      }
      case "flushed":
        this.#flushes.get(op[1])?.();
        this.#flushes.delete(op[1]);
        return;
      case "status":
        this.#setStatus(op[1]);
        if (op[1] === "closed") {
          for (const resolve of this.#flushes.values()) resolve();
          this.#flushes.clear();
        }
        return;
    }
  }

  #setStatus(status: TransportStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#listeners) listener(status);
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
