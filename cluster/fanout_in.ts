/**
 * Fan-out transfers in (`docs/PROTOCOL.md`, "Fan-out transfers"): a holder
 * answered this host's fetch of an object with a ticket; this host
 * subscribes to the transfer's subject, tells the holder it is ready
 * (frame 10 with 0 bytes, after the subscription reached the server), and
 * reassembles the chunks published there as it does a chunked envelope
 * (`chunks_in.ts`: in order, acknowledged, dropped on a lost chunk, a stall,
 * frame 12, or the holder's loss). Frame 12 `unicast` is no failure: the
 * holder left this reader out because it was not subscribed in time, and
 * the fetch resolves with `UNICAST` (the reader fetches the value alone).
 * The envelope is one frame 2 whose correlation is the transfer's number
 * and whose body is the keeper's answer `{ kind: "value", value }`.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Transport, TransportMessage, TransportSubscription } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import { type FanTicket, HostUnreachableError, UNICAST } from "../actors/internal.ts";
import { type ChunkPolicy, FANOUT_UNICAST } from "./chunk_policy.ts";
import { ChunksIn, type IncomingTransfer } from "./chunks_in.ts";
import { decodeBatch, decodeEnvelope, type Frame, type RefResolver } from "./codec.ts";
import { TransferFailedError } from "./errors.ts";

/** What fan-out receiving works with. */
export interface FanInSeams {
  readonly clock: Clock;
  readonly policy: ChunkPolicy;
  readonly transport: Transport;
  readonly subjects: Subjects;
  readonly resolver: RefResolver;
  /** Queues a frame in the batches for `host`. */
  readonly send: (host: string, frame: Frame) => void;
  /** Counts a refused frame by reason. */
  readonly count: (reason: string) => void;
}

interface Waiting {
  readonly holder: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  subscription: TransportSubscription | undefined;
  /** Why the holder's host went, when it did. */
  gone?: string;
  /** The holder left this reader out: it fetches the value alone. */
  unicast?: boolean;
}

/** The fan-out transfers this host receives. */
export class FanIn {
  readonly #seams: FanInSeams;
  readonly #in: ChunksIn;
  readonly #waiting = new Map<string, Waiting>();

  /** @param seams What it works with. */
  constructor(seams: FanInSeams) {
    this.#seams = seams;
    this.#in = new ChunksIn({
      clock: seams.clock,
      policy: seams.policy,
      send: seams.send,
      count: seams.count,
      complete: (transfer, bytes) => this.#complete(transfer, bytes),
      dropped: (transfer, reason) => this.#dropped(transfer, reason),
    });
  }

  /** Transfers being received. */
  get open(): number {
    return this.#waiting.size;
  }

  /**
   * Receives the value that `ticket` announced.
   *
   * @throws {HostUnreachableError} (rejects) When the holder's host is gone.
   * @throws {TransferFailedError} (rejects) When the transfer failed otherwise.
   */
  receive(holder: string, ticket: FanTicket): Promise<unknown> {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const key = keyOf(holder, ticket.transfer);
    if (this.#waiting.has(key)) {
      reject(new TransferFailedError(holder, ticket.bytes, "duplicate", "already received here"));
      return promise;
    }
    const waiting: Waiting = { holder, resolve, reject, subscription: undefined };
    this.#waiting.set(key, waiting);
    const taken = this.#in.begin(holder, {
      kind: "chunkStart",
      transfer: ticket.transfer,
      bytes: ticket.bytes,
      of: "reply",
      target: ticket.transfer,
      align: ticket.align,
    });
    if (taken === undefined) {
      this.#waiting.delete(key);
      reject(new TransferFailedError(holder, ticket.bytes, "too-large", "refused by this host"));
      return promise;
    }
    try {
      waiting.subscription = this.#seams.transport.subscribe(
        this.#seams.subjects.fanFrom(holder, ticket.transfer),
        (message) => this.#chunks(holder, message),
      );
    } catch (err) {
      this.#in.aborted(holder, ticket.transfer, `could not subscribe: ${String(err)}`);
      return promise;
    }
    // The holder publishes once every reader is ready: after the subscription is on the server.
    this.#seams.transport.flush().then(
      () => {
        if (this.#waiting.get(key) === waiting) {
          this.#seams.send(holder, { kind: "chunkAck", transfer: ticket.transfer, bytes: 0 });
        }
      },
      (err) => this.#in.aborted(holder, ticket.transfer, `not connected: ${String(err)}`),
    );
    return promise;
  }

  /**
   * Frame 12 from `holder` (in its batches).
   *
   * @returns Whether it names a fan-out transfer this host receives.
   */
  aborted(holder: string, id: number, reason: string): boolean {
    const waiting = this.#waiting.get(keyOf(holder, id));
    if (waiting === undefined) return false;
    if (reason === FANOUT_UNICAST) waiting.unicast = true;
    this.#in.aborted(holder, id, reason);
    return true;
  }

  /** The holder's host is gone: its transfers fail. */
  senderGone(holder: string, why: string): void {
    for (const waiting of this.#waiting.values()) if (waiting.holder === holder) waiting.gone = why;
    this.#in.senderGone(holder, why);
  }

  /** Drops every transfer: this host is shutting down. */
  closing(): void {
    this.#in.closing();
  }

  /** A chunk batch on a transfer's subject: only the holder publishes there. */
  #chunks(holder: string, message: TransportMessage): void {
    let forged = false;
    decodeBatch(message.data, this.#seams.transport.maxPayloadBytes, this.#seams.resolver, {
      sender: (id) => {
        if (id !== holder) {
          forged = true;
          this.#seams.count("sender-mismatch");
        }
      },
      frame: (frame) => {
        if (forged) return;
        if (frame.kind === "chunk") {
          this.#in.chunk(holder, frame.transfer, frame.offset, frame.data);
        } else this.#seams.count("malformed");
      },
      reject: (reason) => this.#seams.count(reason),
    });
  }

  #settle(transfer: IncomingTransfer): Waiting | undefined {
    const key = keyOf(transfer.sender, transfer.id);
    const waiting = this.#waiting.get(key);
    this.#waiting.delete(key);
    waiting?.subscription?.unsubscribe();
    return waiting;
  }

  #complete(transfer: IncomingTransfer, bytes: Uint8Array): void {
    const waiting = this.#settle(transfer);
    if (waiting === undefined) return;
    const frame = decodeEnvelope(bytes, this.#seams.resolver);
    if ("kind" in frame && frame.kind === "reply" && frame.correlation === transfer.id) {
      waiting.resolve(frame.body);
      return;
    }
    const reason = "kind" in frame ? "malformed" : frame.reason;
    this.#seams.count(reason);
    waiting.reject(
      new TransferFailedError(transfer.sender, transfer.bytes, reason, "not a fan-out envelope"),
    );
  }

  #dropped(transfer: IncomingTransfer, reason: string): void {
    const waiting = this.#settle(transfer);
    if (waiting === undefined) return;
    if (waiting.unicast === true && waiting.gone === undefined) return waiting.resolve(UNICAST);
    waiting.reject(
      waiting.gone !== undefined
        ? new HostUnreachableError(transfer.sender, waiting.gone)
        : new TransferFailedError(transfer.sender, transfer.bytes, "dropped", reason),
    );
  }
}

function keyOf(holder: string, id: number): string {
  return `${holder} ${id}`;
}
