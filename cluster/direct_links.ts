/**
 * The sending side of the direct data channel (docs/PROTOCOL.md, "Direct
 * data channel"): for a large envelope to a host, a connection to that
 * host's listener, negotiated over NATS: a request on the host's own
 * control subject (`R.<self>.ctl.<host>.direct`) answers with the address
 * to connect to and a one-time token bound to this host's id; the
 * connection opens with a hello carrying both, and then carries chunk
 * records only, in one direction. One connection per host, reused.
 *
 * When the host offers no channel, or the request, the connection or the
 * hello fails within `connectTimeoutMs`, the envelope goes over NATS, and
 * so do the next ones to that host for `retryAfterMs`. A connection that
 * breaks (the peer is killed, resets, closes) fails the transfers on it at
 * once (`routeBroken`); the next envelope negotiates anew.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../base/clock.ts";
import type { ChunkRoute } from "./chunk_policy.ts";
import type { DirectChannelPolicy } from "./direct_policy.ts";
import { parseAddress } from "./direct_policy.ts";
import {
  ACCEPTED,
  encodeHello,
  RECORD_HEADER_BYTES,
  TOKEN_BYTES,
  writeFull,
  writeRecordHeader,
} from "./_direct_wire.ts";

/** What a host's listener answers a request for a connection with. */
export interface DirectOffer {
  /** Where to connect (`host:port`). */
  readonly address: string;
  /** The one-time token the hello carries. */
  readonly token: Uint8Array;
  /** The name in the listener's certificate when it speaks TLS (absent: plain TCP). */
  readonly tls?: string;
}

/** A connection as the direct channel uses it (a `Deno.Conn` is one). */
export interface DirectConn {
  /** A TLS connection's handshake (a `Deno.TlsConn` has one). */
  handshake?(): Promise<unknown>;
  read(into: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

/** What the sending side works with. */
export interface DirectLinksSeams {
  readonly selfId: string;
  readonly clock: Clock;
  readonly policy: DirectChannelPolicy;
  /** Asks `host` over NATS for a connection; `undefined` when it offers none. */
  readonly negotiate: (host: string, timeoutMs: number) => Promise<DirectOffer | undefined>;
  /** Opens a connection (TLS checked against `tlsName` when the offer gave one). */
  readonly connect: (
    hostname: string,
    port: number,
    tlsName: string | undefined,
  ) => Promise<DirectConn>;
  /** Whether this host speaks TLS on the channel: then it never connects in the clear. */
  readonly tls: boolean;
  /** A connection broke: the transfers on it fail. */
  readonly broken: (route: ChunkRoute, detail: string) => void;
}

/**
 * Why an attempt to connect failed: the host offered no channel, one end
 * speaks TLS and the other not, the connection (or its TLS handshake) failed,
 * the listener did not accept the hello, or it all took too long.
 */
export type FailedConnect =
  | "no-offer"
  | "tls-mismatch"
  | "connect-failed"
  | "not-accepted"
  | "timeout";

/** One open connection to a host. */
class Link implements ChunkRoute {
  readonly id: number;
  readonly host: string;
  readonly #conn: DirectConn;
  readonly #onClose: (link: Link, detail: string) => void;
  readonly #queue: Uint8Array[] = [];
  #writing = false;
  #closed = false;
  /** Chunk bytes written to the socket. */
  bytesSent = 0;

  constructor(id: number, host: string, conn: DirectConn, onClose: (l: Link, d: string) => void) {
    this.id = id;
    this.host = host;
    this.#conn = conn;
    this.#onClose = onClose;
    void this.#watch();
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(transfer: number, offset: number, pieces: readonly Uint8Array[], bytes: number): boolean {
    if (this.#closed) return false;
    this.#queue.push(
      writeRecordHeader(new Uint8Array(RECORD_HEADER_BYTES), transfer, offset, bytes),
    );
    for (const piece of pieces) if (piece.byteLength > 0) this.#queue.push(piece);
    if (!this.#writing) void this.#drain();
    return true;
  }

  close(detail: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    try {
      this.#conn.close();
    } catch {
      // closed already
    }
    this.#onClose(this, detail);
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const bytes = this.#queue.shift()!;
        await writeFull(this.#conn, bytes);
        this.bytesSent += bytes.byteLength;
      }
    } catch (err) {
      this.close(`writing to the direct connection to ${this.host} failed: ${err}`);
    } finally {
      this.#writing = false;
    }
  }

  /** The listener never writes after its accept byte: a read ends only when the connection does. */
  async #watch(): Promise<void> {
    const scratch = new Uint8Array(1);
    let why = `the direct connection to ${this.host} was closed by it`;
    try {
      while ((await this.#conn.read(scratch)) !== null) {
        why = `the direct connection to ${this.host} sent unexpected bytes`;
        break;
      }
    } catch (err) {
      why = `the direct connection to ${this.host} broke: ${err}`;
    }
    this.close(why);
  }
}

/** The direct connections of this host to others. */
export class DirectLinks {
  readonly #seams: DirectLinksSeams;
  readonly #links = new Map<string, Link>();
  readonly #opening = new Map<string, Promise<Link | undefined>>();
  /** Hosts that offered no channel or could not be reached, until when (ms). */
  readonly #unavailable = new Map<string, number>();
  #next = 0;
  #closed = false;
  /** Bytes written by connections closed so far. */
  #bytesOfClosed = 0;
  readonly #failed: Partial<Record<FailedConnect, number>> = {};
  /** Connections opened so far. */
  opened = 0;

  /** Attempts to connect that failed (their envelopes went over NATS), by reason. */
  get failed(): Readonly<Partial<Record<FailedConnect, number>>> {
    return { ...this.#failed };
  }

  /** @param seams How to negotiate and connect. */
  constructor(seams: DirectLinksSeams) {
    this.#seams = seams;
  }

  /** Chunk bytes this host wrote to direct connections (not through NATS). */
  get bytesSent(): number {
    let sum = this.#bytesOfClosed;
    for (const link of this.#links.values()) sum += link.bytesSent;
    return sum;
  }

  /** The connection for a transfer to `host`: open, opening, or none (over NATS). */
  route(host: string): ChunkRoute | Promise<ChunkRoute | undefined> | undefined {
    if (this.#closed) return undefined;
    const link = this.#links.get(host);
    if (link !== undefined && !link.closed) return link;
    const opening = this.#opening.get(host);
    if (opening !== undefined) return opening;
    if ((this.#unavailable.get(host) ?? -Infinity) > this.#seams.clock.now()) return undefined;
    const open = this.#open(host).finally(() => this.#opening.delete(host));
    this.#opening.set(host, open);
    return open;
  }

  /** `host` is gone: its connection closes (its transfers fail on their own). */
  hostGone(host: string): void {
    this.#unavailable.delete(host);
    this.#links.get(host)?.close(`host ${host} is gone`);
  }

  /** Closes every connection: this host is shutting down. */
  close(): void {
    this.#closed = true;
    for (const link of [...this.#links.values()]) link.close("this host is shutting down");
  }

  async #open(host: string): Promise<Link | undefined> {
    const { policy, clock } = this.#seams;
    const deadline = clock.now() + policy.connectTimeoutMs;
    let conn: DirectConn | undefined;
    let timer: TimerHandle | undefined;
    let why: FailedConnect = "timeout";
    try {
      const attempt = (async () => {
        const offer = await this.#seams.negotiate(host, policy.connectTimeoutMs);
        const address = parseAddress(offer?.address);
        why = "no-offer";
        if (offer === undefined || address === undefined) return undefined;
        if (offer.token.byteLength !== TOKEN_BYTES) return undefined;
        // Both ends speak TLS, or neither: bytes never go in the clear from a host that has it.
        why = "tls-mismatch";
        if ((offer.tls !== undefined) !== this.#seams.tls) return undefined;
        why = "timeout";
        conn = await this.#seams.connect(address.hostname, address.port, offer.tls);
        await writeFull(conn, encodeHello(this.#seams.selfId, offer.token));
        const answer = new Uint8Array(1);
        const n = await conn.read(answer);
        why = "not-accepted";
        if (n !== 1 || answer[0] !== ACCEPTED) return undefined;
        return conn;
      })().catch((err) => {
        why = "connect-failed";
        throw err;
      });
      const timeout = new Promise<undefined>((resolve) => {
        timer = clock.setTimeout(() => resolve(undefined), Math.max(0, deadline - clock.now()));
      });
      const opened = await Promise.race([attempt, timeout]);
      if (opened === undefined || this.#closed) {
        attempt.then((late) => late?.close(), () => {});
        this.#closeQuietly(conn);
        this.#unavailable.set(host, clock.now() + policy.retryAfterMs);
        if (!this.#closed) this.#countFailed(why);
        return undefined;
      }
      const link = new Link(this.#next++, host, opened, (closed, detail) => {
        if (this.#links.get(host) === closed) this.#links.delete(host);
        this.#bytesOfClosed += closed.bytesSent;
        this.#seams.broken(closed, detail);
      });
      this.#links.set(host, link);
      this.opened++;
      return link;
    } catch {
      this.#closeQuietly(conn);
      this.#unavailable.set(host, clock.now() + policy.retryAfterMs);
      this.#countFailed(why);
      return undefined;
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
  }

  #countFailed(why: FailedConnect): void {
    this.#failed[why] = (this.#failed[why] ?? 0) + 1;
  }

  #closeQuietly(conn: DirectConn | undefined): void {
    try {
      conn?.close();
    } catch {
      // closed already
    }
  }
}
