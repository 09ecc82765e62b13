/**
 * The direct data channel of one host (docs/moving-data.md, "The direct
 * path"): its listener (`direct_listener.ts`) and its connections to others
 * (`direct_links.ts`), on real TCP sockets, negotiated over the cluster's
 * NATS subjects. Remoting asks it for a route per chunked transfer, and the
 * control handler has it answer `direct` requests.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { ChunkRoute } from "./chunk_policy.ts";
import type { DirectChannelPolicy } from "./direct_policy.ts";
import { DirectLinks, type DirectOffer } from "./direct_links.ts";
import { connectDirect, listenDirect } from "./direct_tls.ts";
import { type DirectChunksIn, DirectListener } from "./direct_listener.ts";
import { packValue, unpackValue } from "./codec.ts";

/** Counters of the direct channel, in the host's transport stats. */
export interface DirectChannelStats {
  /** Where this host listens for others (`host:port`). */
  readonly address: string;
  /** Whether the channel speaks TLS (with the cluster's certificates). */
  readonly tls: boolean;
  /** Chunk bytes this host sent on direct connections (not through NATS). */
  readonly bytesSent: number;
  /** Chunk bytes this host received on direct connections (not through NATS). */
  readonly bytesReceived: number;
  /** Connections this host opened to others. */
  readonly opened: number;
  /** Connections from others this host accepted. */
  readonly accepted: number;
  /** Connections and records refused, by reason (`direct-bad-token`, ...). */
  readonly refused: Readonly<Record<string, number>>;
  /**
   * This host's attempts to connect to others that failed, their envelopes
   * sent over NATS instead, by reason (`no-offer`, `tls-mismatch`,
   * `connect-failed`: the connection or its TLS handshake, `not-accepted`,
   * `timeout`).
   */
  readonly failedConnects: Readonly<Record<string, number>>;
}

/** What the direct channel works with. */
export interface DirectChannelSeams {
  readonly selfId: string;
  readonly clock: Clock;
  readonly policy: DirectChannelPolicy;
  readonly transport: Transport;
  readonly subjects: Subjects;
  /** How long a transfer may make no progress, in milliseconds. */
  readonly stallTimeoutMs: number;
  /** Whether a member id is a host this one knows. */
  readonly isHost: (id: string) => boolean;
  /** The reassembly of incoming transfers. */
  readonly chunksIn: DirectChunksIn;
  /** A connection out broke: its transfers fail. */
  readonly broken: (route: ChunkRoute, detail: string) => void;
}

/** One host's direct data channel. */
export class DirectChannel {
  readonly #listener: DirectListener;
  readonly #links: DirectLinks;
  readonly #refused: Record<string, number> = {};
  readonly #tls: boolean;

  /**
   * Starts listening at once.
   *
   * @throws {Deno.errors.AddrInUse} or another `Deno.listen` (`Deno.listenTls`) error when it cannot listen.
   */
  constructor(seams: DirectChannelSeams) {
    const { policy, clock } = seams;
    this.#tls = policy.tls !== undefined;
    this.#listener = new DirectListener(listenDirect(policy), {
      clock,
      policy,
      stallTimeoutMs: seams.stallTimeoutMs,
      chunks: seams.chunksIn,
      isHost: seams.isHost,
      count: (reason) => this.#refused[reason] = (this.#refused[reason] ?? 0) + 1,
    });
    this.#links = new DirectLinks({
      selfId: seams.selfId,
      clock,
      policy,
      negotiate: (host, timeoutMs) => negotiate(seams, host, timeoutMs),
      connect: (hostname, port, tlsName) => connectDirect(hostname, port, tlsName, policy.tls),
      tls: policy.tls !== undefined,
      broken: seams.broken,
    });
  }

  /** Counters, for the host's transport stats. */
  get stats(): DirectChannelStats {
    return {
      address: this.#listener.address,
      tls: this.#tls,
      bytesSent: this.#links.bytesSent,
      bytesReceived: this.#listener.bytesReceived,
      opened: this.#links.opened,
      accepted: this.#listener.accepted,
      refused: { ...this.#refused },
      failedConnects: this.#links.failed,
    };
  }

  /** The route of a transfer to `host` (see `ChunksOutSeams.route`). */
  route(host: string): ChunkRoute | Promise<ChunkRoute | undefined> | undefined {
    return this.#links.route(host);
  }

  /** Answers a `direct` request from `sender`. */
  offer(sender: string): DirectOffer | undefined {
    return this.#listener.offer(sender);
  }

  /** A host is gone. */
  hostGone(host: string): void {
    this.#links.hostGone(host);
    this.#listener.hostGone(host);
  }

  /** Closes everything: this host is shutting down. */
  close(): void {
    this.#links.close();
    this.#listener.close();
  }
}

/** Asks `host` for a connection over NATS (`R.<self>.ctl.<host>.direct`). */
async function negotiate(
  seams: DirectChannelSeams,
  host: string,
  timeoutMs: number,
): Promise<DirectOffer | undefined> {
  const bytes = await seams.transport.request(
    seams.subjects.control(host, "direct"),
    packValue({}),
    timeoutMs,
  );
  const answer = unpackValue(bytes, () => undefined) as
    | { ok?: unknown; address?: unknown; token?: unknown; tls?: unknown }
    | undefined;
  if (answer?.ok !== true) return undefined;
  const { address, token, tls } = answer;
  if (typeof address !== "string" || !(token instanceof Uint8Array)) return undefined;
  if (tls !== undefined && typeof tls !== "string") return undefined;
  return { address, token, ...(tls === undefined ? {} : { tls }) };
}
