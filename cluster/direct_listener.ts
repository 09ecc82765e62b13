/**
 * The receiving side of the direct data channel (docs/PROTOCOL.md, "Direct
 * data channel"): a TCP listener, the one-time tokens it hands to hosts that
 * ask over NATS (`offer`), and the connections that present one. A
 * connection is accepted only after a hello with a token handed to the host
 * it names, unused and fresh; anything else is closed unanswered and counted,
 * having delivered nothing. An accepted connection carries chunk records of
 * that host's transfers, each read straight into its reassembly buffer
 * (`ChunksIn.directChunk`); a record of a transfer whose frame 8 has not come
 * over NATS yet waits for it (its chunks may overtake it) for at most the
 * stall timeout. A connection that ends drops the transfers it was carrying.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { DirectChannelPolicy } from "./direct_policy.ts";
import type { DirectConn, DirectOffer } from "./direct_links.ts";
import {
  ACCEPTED,
  helloRest,
  newToken,
  parseHelloRest,
  readFull,
  readRecordHeader,
  RECORD_HEADER_BYTES,
  sameToken,
  writeFull,
} from "./_direct_wire.ts";

/** The largest chunk record accepted, in bytes (the sender's are about 1 MiB). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** Tokens kept per requesting host, at most (the oldest goes first). */
const TOKENS_PER_HOST = 4;
/**
 * Connections waiting for their hello, at most: anyone who reaches the port
 * can open one, and each holds a socket for up to the connect timeout.
 */
const MAX_PENDING_HELLOS = 64;

/** What the chunk reassembly offers the listener (`ChunksIn`). */
export interface DirectChunksIn {
  whenStarted(sender: string, id: number, timeoutMs: number): Promise<boolean> | true;
  directChunk(
    sender: string,
    id: number,
    offset: number,
    n: number,
    link: number,
  ): Uint8Array | undefined;
  directWritten(sender: string, id: number, offset: number, n: number): void;
  linkClosed(sender: string, link: number, why: string): void;
}

/** A listening socket as the direct channel uses it (a `Deno.Listener` is one). */
export interface DirectSocket extends AsyncIterable<DirectConn> {
  readonly port: number;
  close(): void;
}

/** What the receiving side works with. */
export interface DirectListenerSeams {
  readonly clock: Clock;
  readonly policy: DirectChannelPolicy;
  /** How long a transfer may make no progress, in milliseconds. */
  readonly stallTimeoutMs: number;
  readonly chunks: DirectChunksIn;
  /** Whether a member id is a host this one knows (only hosts get tokens). */
  readonly isHost: (id: string) => boolean;
  /** Counts a refused connection or record by reason. */
  readonly count: (reason: string) => void;
}

interface Token {
  readonly token: Uint8Array;
  readonly expiresMs: number;
}

/** This host's direct listener. */
export class DirectListener {
  readonly #seams: DirectListenerSeams;
  readonly #socket: DirectSocket;
  readonly #address: string;
  readonly #tokens = new Map<string, Token[]>();
  readonly #conns = new Set<DirectConn>();
  #hellos = 0;
  #next = 0;
  #closed = false;
  /** Chunk bytes received on direct connections (not through NATS). */
  bytesReceived = 0;
  /** Connections accepted so far. */
  accepted = 0;

  /**
   * @param socket The listening socket (this class closes it).
   * @param seams What it delivers into and counts with.
   */
  constructor(socket: DirectSocket, seams: DirectListenerSeams) {
    this.#seams = seams;
    this.#socket = socket;
    const host = seams.policy.hostname.includes(":")
      ? `[${seams.policy.hostname}]`
      : seams.policy.hostname;
    this.#address = seams.policy.advertise ?? `${host}:${socket.port}`;
    void this.#accept();
  }

  /** The `host:port` other hosts connect to. */
  get address(): string {
    return this.#address;
  }

  /**
   * Answers a request from `sender` (over NATS, on this host's control
   * subject): a fresh token bound to it, or `undefined` for a member that
   * is not a known host.
   */
  offer(sender: string): DirectOffer | undefined {
    if (this.#closed || !this.#seams.isHost(sender)) return undefined;
    const now = this.#seams.clock.now();
    const fresh = (this.#tokens.get(sender) ?? []).filter((t) => t.expiresMs > now);
    const token = newToken();
    fresh.push({ token, expiresMs: now + this.#seams.policy.tokenTtlMs });
    this.#tokens.set(sender, fresh.slice(-TOKENS_PER_HOST));
    const tls = this.#seams.policy.tls;
    return { address: this.#address, token, ...(tls === undefined ? {} : { tls: tls.name }) };
  }

  /** A host is gone: its tokens are void, its connections close. */
  hostGone(host: string): void {
    this.#tokens.delete(host);
  }

  /** Stops listening and closes every connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tokens.clear();
    try {
      this.#socket.close();
    } catch {
      // closed already
    }
    for (const conn of [...this.#conns]) closeQuietly(conn);
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#socket) {
        if (this.#closed) {
          closeQuietly(conn);
          break;
        }
        void this.#serve(conn);
      }
    } catch {
      // the socket closed
    }
  }

  /** Takes a token of `sender` once; `false` when it has none such. */
  #redeem(sender: string, token: Uint8Array): boolean {
    const now = this.#seams.clock.now();
    const tokens = this.#tokens.get(sender) ?? [];
    const at = tokens.findIndex((t) => t.expiresMs > now && sameToken(t.token, token));
    if (at < 0) return false;
    tokens.splice(at, 1);
    return true;
  }

  /** Reads the hello within the connect timeout; the sender it proves, or why not. */
  async #hello(conn: DirectConn): Promise<string | { refused: string }> {
    const { clock, policy } = this.#seams;
    const timer = clock.setTimeout(() => closeQuietly(conn), policy.connectTimeoutMs);
    try {
      if (policy.tls !== undefined) {
        try {
          await conn.handshake?.();
        } catch {
          return { refused: "direct-tls-refused" };
        }
      }
      const first = new Uint8Array(6);
      if (!(await readFull(conn, first))) return { refused: "direct-truncated-hello" };
      const rest = helloRest(first);
      if (typeof rest === "string") return { refused: `direct-${rest}` };
      const bytes = new Uint8Array(rest);
      if (!(await readFull(conn, bytes))) return { refused: "direct-truncated-hello" };
      const { hostId, token } = parseHelloRest(bytes);
      return this.#redeem(hostId, token) ? hostId : { refused: "direct-bad-token" };
    } catch {
      return { refused: "direct-truncated-hello" };
    } finally {
      clock.clearTimeout(timer);
    }
  }

  async #serve(conn: DirectConn): Promise<void> {
    this.#conns.add(conn);
    const link = this.#next++;
    let sender: string | undefined;
    let why = "its direct connection closed";
    try {
      if (this.#hellos >= MAX_PENDING_HELLOS) {
        this.#seams.count("direct-too-many-hellos");
        return;
      }
      this.#hellos++;
      const hello = await this.#hello(conn).finally(() => this.#hellos--);
      if (typeof hello !== "string") {
        this.#seams.count(hello.refused);
        return;
      }
      sender = hello;
      await writeFull(conn, Uint8Array.of(ACCEPTED));
      this.accepted++;
      why = await this.#records(conn, sender, link);
    } catch (err) {
      why = `its direct connection broke: ${err}`;
    } finally {
      this.#conns.delete(conn);
      closeQuietly(conn);
      if (sender !== undefined) this.#seams.chunks.linkClosed(sender, link, why);
    }
  }

  /** Reads chunk records until the connection ends; why it ended. */
  async #records(conn: DirectConn, sender: string, link: number): Promise<string> {
    const { chunks, count, stallTimeoutMs } = this.#seams;
    const head = new Uint8Array(RECORD_HEADER_BYTES);
    let scratch: Uint8Array | undefined;
    while (await readFull(conn, head)) {
      const record = readRecordHeader(head);
      if (record === undefined || record.bytes > MAX_RECORD_BYTES) {
        count("direct-malformed");
        return "its direct connection sent a malformed record";
      }
      const { transfer, offset, bytes } = record;
      const started = chunks.whenStarted(sender, transfer, stallTimeoutMs);
      if (started !== true && !(await started)) {
        count("direct-no-start");
        return "a chunk came on its direct connection without its frame 8";
      }
      const into = chunks.directChunk(sender, transfer, offset, bytes, link);
      if (into !== undefined) {
        if (!(await readFull(conn, into))) break;
        this.bytesReceived += bytes;
        chunks.directWritten(sender, transfer, offset, bytes);
        continue;
      }
      // A dropped transfer's bytes still on their way: read past them.
      scratch ??= new Uint8Array(64 * 1024);
      for (let left = bytes; left > 0;) {
        const piece = scratch.subarray(0, Math.min(left, scratch.byteLength));
        if (!(await readFull(conn, piece))) return "its direct connection closed";
        left -= piece.byteLength;
      }
    }
    return "its direct connection closed";
  }
}

function closeQuietly(conn: DirectConn): void {
  try {
    conn.close();
  } catch {
    // closed already
  }
}
