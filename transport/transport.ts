/**
 * The transport seam: how bytes move between hosts. Two implementations pass
 * one test suite: the in-memory bus (many hosts in one process) and NATS.
 *
 * @module
 */

/** A message received on a subscription. */
export interface TransportMessage {
  /** The subject it was published to. */
  readonly subject: string;
  /** Its bytes. */
  readonly data: Uint8Array;
  /** The reply subject, when the publisher gave one. */
  readonly reply: string | undefined;
  /**
   * True for a "no responders" notice: the message published with this
   * message's subject as its reply subject reached no subscriber.
   */
  readonly noResponders: boolean;
  /**
   * Buffers moved beside the data (only on transports that move buffers:
   * see {@linkcode Transport.movesBuffers}).
   */
  readonly buffers?: readonly ArrayBuffer[];
}

/** Receives messages of a subscription. Must not throw. */
export type MessageHandler = (message: TransportMessage) => void;

/** An active subscription. */
export interface TransportSubscription {
  /** Stops the subscription. */
  unsubscribe(): void;
}

/**
 * Whether the transport can reach the server:
 * - `"connected"`: publishing works;
 * - `"disconnected"`: it is reconnecting; publishes would be lost, so they are refused;
 * - `"closed"`: for good.
 */
export type TransportStatus = "connected" | "disconnected" | "closed";

/** Moves bytes by subject, NATS-style: `*` matches one token, `>` the rest. */
export interface Transport {
  /** The largest payload accepted, in bytes. */
  readonly maxPayloadBytes: number;
  /** Whether publishing works now. */
  readonly status: TransportStatus;
  /**
   * Whether `publish` can move `buffers` beside the data (the MessagePort
   * bus of one process): they arrive as the message's `buffers`, detached
   * on the publisher's side when they crossed a thread.
   */
  readonly movesBuffers?: boolean;
  /**
   * Bytes the connection sent and received so far (headers and control
   * traffic included), when the transport counts them.
   */
  byteCounts?(): { readonly sentBytes: number; readonly receivedBytes: number };
  /**
   * Publishes bytes. With `reply`, a publish that reaches no subscriber makes
   * the transport deliver a `noResponders` message to `reply`.
   *
   * @throws {PayloadTooLargeError} Before sending, for data above `maxPayloadBytes`.
   * @param buffers Buffers to move beside the data (transports that move buffers; others ignore them).
   * @throws {TransportClosedError} When the transport is not connected.
   */
  publish(
    subject: string,
    data: Uint8Array,
    reply?: string,
    buffers?: readonly ArrayBuffer[],
  ): void;
  /**
   * Sends a request and waits for one reply.
   *
   * @throws {NoRespondersError} At once, when nobody subscribes to `subject`.
   * @throws {RequestTimeoutError} When no reply came within `timeoutMs`.
   * @throws {PayloadTooLargeError} Before sending, for data above `maxPayloadBytes`.
   * @throws {TransportClosedError} When the transport is not connected.
   */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Answers a request (`message.reply`). */
  respond(message: TransportMessage, data: Uint8Array): void;
  /** Subscribes to a subject (wildcards allowed). */
  subscribe(subject: string, handler: MessageHandler): TransportSubscription;
  /** Calls `listener` when the status changes; returns a function that ends it. */
  onStatus(listener: (status: TransportStatus) => void): () => void;
  /** Resolves once everything published so far has reached the server. */
  flush(): Promise<void>;
  /** Stops subscriptions, flushes, and closes. */
  close(): Promise<void>;
}
