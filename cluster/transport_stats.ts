/**
 * The counters of a host's cluster traffic, as inspection shows them
 * (`ActorSystem.transportStats()`).
 *
 * @module
 */

import type { DirectChannelStats } from "./direct_channel.ts";

/** Counters of a host's cluster traffic. */
export interface TransportStats {
  /** Batches this host published. */
  readonly batchesSent: number;
  /** Batches that arrived at its inbox. */
  readonly batchesReceived: number;
  /** Envelopes in them that were well formed. */
  readonly framesReceived: number;
  /** Batches or envelopes refused, by reason (`too-large`, `unknown-version`, `truncated`, ...), and tells refused for a full mailbox (`mailbox-full`). */
  readonly rejected: Readonly<Record<string, number>>;
  /** Chunked envelopes being sent and being received now (large tells, asks and replies). */
  readonly transfersOpen?: { readonly out: number; readonly in: number };
  /**
   * Objects this host sent to many readers at once (`docs/moving-data.md`):
   * transfers published (one publish of the value each), the readers they
   * were for and those that got it all, chunk batches, and transfers open each way.
   */
  readonly fanout?: {
    /** Transfers started (each one publish of the value, whatever its readers). */
    readonly transfers: number;
    /** Readers those transfers were for. */
    readonly readers: number;
    /** Readers that received the whole value. */
    readonly delivered: number;
    /** Chunk batches published. */
    readonly chunks: number;
    /** Readers left out of a transfer, not subscribed in time: they fetched alone. */
    readonly unicast: number;
    /** Transfers open now: sent by this host, and received by it. */
    readonly open: { readonly out: number; readonly in: number };
  };
  /** Bytes the host's connection sent, when its transport counts them. */
  readonly bytesSent?: number;
  /** Bytes the host's connection received, when its transport counts them. */
  readonly bytesReceived?: number;
  /** The direct data channel's counters, when it is on (chunk bytes that did not go through NATS). */
  readonly direct?: DirectChannelStats;
}
