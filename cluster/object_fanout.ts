/**
 * A host's fan-out of objects (`docs/moving-data.md`, "Many readers"): the
 * sending side (`fanout_out.ts`) and the receiving side (`fanout_in.ts`)
 * behind the object table's port, and the chunk frames of the inbox that
 * name their transfers.
 *
 * @module
 */

import type { FanTicket, ObjectFanout, Runtime } from "../actors/internal.ts";
import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { ChunkPolicy } from "./chunk_policy.ts";
import type { ChunksOut } from "./chunks_out.ts";
import type { Frame } from "./frames.ts";
import { FanIn } from "./fanout_in.ts";
import { FanOut, type FanOutCounts } from "./fanout_out.ts";

/** What a host's fan-out works with. */
export interface ObjectFanoutSeams {
  readonly runtime: Runtime;
  readonly transport: Transport;
  readonly subjects: Subjects;
  readonly policy: ChunkPolicy;
  /** The host's chunked envelopes out: their batch header and transfer numbers are shared. */
  readonly chunksOut: ChunksOut;
  /** Queues a frame in the batches for `host`. */
  readonly send: (host: string, frame: Frame) => void;
  /** Counts a refusal by reason. */
  readonly count: (reason: string) => void;
}

/** The chunk frames of the inbox that fan-out transfers take (each says whether it took it). */
export interface FanFrames {
  /** Frame 10: a reader's credit (or its readiness, with 0 bytes). */
  acked(host: string, id: number, bytes: number): boolean;
  /** Frame 11: a reader left. */
  cancelled(host: string, id: number): boolean;
  /** Frame 12: a holder stopped sending. */
  aborted(host: string, id: number, reason: string): boolean;
}

/** One host's fan-out of objects, both ways. */
export class ObjectFanoutHost implements ObjectFanout, FanFrames {
  readonly #out: FanOut;
  readonly #in: FanIn;

  /** @param seams What it works with. */
  constructor(seams: ObjectFanoutSeams) {
    const { runtime, transport, subjects, policy, chunksOut, send } = seams;
    this.#out = new FanOut({
      selfId: runtime.hostId,
      clock: runtime.clock,
      policy,
      maxPayloadBytes: Math.min(transport.maxPayloadBytes, 2 ** 30),
      header: chunksOut.header,
      reserveId: () => chunksOut.reserveId(),
      publish: (transfer, bytes) => {
        try {
          transport.publish(subjects.fanOut(transfer), bytes);
          return true;
        } catch {
          return false;
        }
      },
      send,
    });
    this.#in = new FanIn({
      clock: runtime.clock,
      policy,
      transport,
      subjects,
      resolver: (s) => runtime.resolveRef(s),
      send,
      count: seams.count,
    });
  }

  /** Transfers open each way. */
  get open(): { readonly out: number; readonly in: number } {
    return { out: this.#out.open, in: this.#in.open };
  }

  /** What the sending side did so far. */
  get counts(): FanOutCounts {
    return this.#out.counts;
  }

  serve(objectId: string, value: unknown, readerHost: string): FanTicket | undefined {
    return this.#out.serve(objectId, value, readerHost);
  }

  receive(holderHost: string, ticket: FanTicket): Promise<unknown> {
    return this.#in.receive(holderHost, ticket);
  }

  acked(host: string, id: number, bytes: number): boolean {
    return this.#out.acked(host, id, bytes);
  }

  cancelled(host: string, id: number): boolean {
    return this.#out.cancelled(host, id);
  }

  aborted(host: string, id: number, reason: string): boolean {
    return this.#in.aborted(host, id, reason);
  }

  /** Another host is gone: it leaves the transfers it read, and those it sent fail. */
  hostGone(host: string, why: string): void {
    this.#out.hostGone(host);
    this.#in.senderGone(host, why);
  }

  /** This host is shutting down. */
  closing(): void {
    this.#out.closing();
    this.#in.closing();
  }
}
