/**
 * A host's fan-out of objects (`docs/moving-data.md`, "Many readers"): the
 * sending side (`fanout_out.ts`) and the receiving side (`fanout_in.ts`)
 * behind the object table's port, and the chunk frames of the inbox that
 * name their transfers.
 *
 * @module
 */

import type { FanTicket, ObjectFanout } from "../actors/internal.ts";
import { FanIn, type FanInSeams } from "./fanout_in.ts";
import { FanOut, type FanOutCounts, type FanOutSeams } from "./fanout_out.ts";

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

  /** @param seams What each side works with. */
  constructor(seams: { readonly out: FanOutSeams; readonly in: FanInSeams }) {
    this.#out = new FanOut(seams.out);
    this.#in = new FanIn(seams.in);
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
