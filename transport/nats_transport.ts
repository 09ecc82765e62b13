/**
 * The NATS transport: `npm:@nats-io/transport-node` v3 behind the
 * {@linkcode Transport} seam.
 *
 * nats.js drops publishes made while it is disconnected without telling
 * anyone; this transport tracks the connection status and refuses to publish
 * while disconnected, so that the caller can report those messages instead.
 *
 * @module
 */

import { unrefConnection } from "./nats_unref.ts";
import type { Msg, NatsConnection } from "npm:@nats-io/transport-node@3.4.0";
import type {
  MessageHandler,
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "./transport.ts";
import { connectNats, type NatsConnectOptions } from "./nats_connect.ts";
import { NoRespondersError, PayloadTooLargeError, TransportClosedError } from "./errors.ts";
import { RequestTimeoutError } from "../base/errors.ts";

/** A transport over a NATS connection. */
export class NatsTransport implements Transport {
  readonly maxPayloadBytes: number;
  #nc: NatsConnection;
  #status: TransportStatus = "connected";
  #listeners = new Set<(status: TransportStatus) => void>();

  private constructor(nc: NatsConnection) {
    this.#nc = nc;
    this.maxPayloadBytes = nc.info?.max_payload ?? 1024 * 1024;
    void this.#watch();
  }

  /**
   * Connects to NATS.
   *
   * @param servers One URL or several.
   * @param options Credentials, TLS, reconnect and ping settings.
   * @throws {Error} The connection error of nats.js (wrong credentials, unreachable server).
   */
  static async connect(
    servers: string | readonly string[],
    options: NatsConnectOptions = {},
  ): Promise<NatsTransport> {
    return new NatsTransport(await connectNats(servers, options));
  }

  /**
   * Lets the process exit while this connection is open and idle (a
   * finished program's system then shuts down on the way out; see
   * `system/exit_when_done.ts`). Requests in flight keep it alive still.
   */
  release(): void {
    unrefConnection(this.#nc);
  }

  get status(): TransportStatus {
    return this.#status;
  }

  byteCounts(): { sentBytes: number; receivedBytes: number } {
    const stats = this.#nc.stats();
    return { sentBytes: stats.outBytes, receivedBytes: stats.inBytes };
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    this.#check(subject, data);
    this.#nc.publish(subject, data, reply === undefined ? undefined : { reply });
  }

  async request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    this.#check(subject, data);
    try {
      return (await this.#nc.request(subject, data, { timeout: timeoutMs })).data;
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === "RequestError" && (err as { isNoResponders(): boolean }).isNoResponders()) {
        throw new NoRespondersError(subject);
      }
      if (name === "NoRespondersError") throw new NoRespondersError(subject);
      if (name === "TimeoutError") throw new RequestTimeoutError(subject, timeoutMs);
      throw err;
    }
  }

  respond(message: TransportMessage, data: Uint8Array): void {
    if (message.reply !== undefined) this.publish(message.reply, data);
  }

  subscribe(subject: string, handler: MessageHandler): TransportSubscription {
    const subscription = this.#nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err === null) handler(toMessage(msg));
      },
    });
    return { unsubscribe: () => subscription.unsubscribe() };
  }

  onStatus(listener: (status: TransportStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  flush(): Promise<void> {
    return this.#nc.flush();
  }

  async close(): Promise<void> {
    if (this.#status === "closed") return;
    await this.#nc.drain().catch(() => this.#nc.close());
    this.#set("closed");
  }

  async #watch(): Promise<void> {
    void this.#nc.closed().then(() => this.#set("closed"));
    for await (const status of this.#nc.status()) {
      if (status.type === "disconnect") this.#set("disconnected");
      else if (status.type === "reconnect") this.#set("connected");
    }
  }

  #set(status: TransportStatus): void {
    if (this.#status === status || this.#status === "closed") return;
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

function toMessage(msg: Msg): TransportMessage {
  const headers = msg.headers;
  const data = msg.data;
  return {
    subject: msg.subject,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    reply: msg.reply || undefined,
    noResponders: headers !== undefined && headers.code === 503 && data.byteLength === 0,
  };
}
