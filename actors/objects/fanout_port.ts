/**
 * The port through which a host's objects are sent to many readers at once
 * (`docs/moving-data.md`, "Many readers"): the holder answers a fetch with
 * a ticket for a fan-out transfer instead of the value, and the reader
 * receives the value from that transfer. The cluster implements it; the
 * object table never imports the cluster.
 *
 * @module
 */

/** A holder's word that a fetched value comes by fan-out transfer `transfer`. */
export interface FanTicket {
  readonly kind: "fanout";
  /** The holder's number for the transfer. */
  readonly transfer: number;
  /** The size of the envelope the transfer carries, in bytes. */
  readonly bytes: number;
  /** Where its first large typed array's elements start, modulo 8. */
  readonly align: number;
}

/** What the object table needs to send values to many readers at once. */
export interface ObjectFanout {
  /**
   * Holder side: host `readerHost` fetches object `objectId`.
   *
   * @returns The ticket to answer with (the reader joins a transfer that
   *   readers of the same object share); `undefined` when the value is
   *   small enough to go in the answer itself.
   */
  serve(objectId: string, value: unknown, readerHost: string): FanTicket | undefined;
  /**
   * Reader side: receives the value of a ticket from `holderHost`.
   *
   * @returns (resolves) The holder's answer, as if the fetch had returned
   *   it; {@linkcode UNICAST} when the holder left this reader out of the
   *   transfer (it was not subscribed in time): fetch the value alone.
   *
   * @throws {HostUnreachableError} (rejects) When the holder's host is gone.
   * @throws {TransferFailedError} (rejects) When the transfer failed otherwise.
   */
  receive(holderHost: string, ticket: FanTicket): Promise<unknown>;
}

/**
 * What {@linkcode ObjectFanout.receive} resolves with when the reader is to
 * fetch the value alone, without `fanout`.
 */
export const UNICAST: { readonly kind: "unicast" } = Object.freeze({ kind: "unicast" });

/** Whether an answer to a fetch is a well-formed ticket. */
export function isFanTicket(value: unknown): value is FanTicket {
  if (value === null || typeof value !== "object") return false;
  const t = value as Partial<FanTicket>;
  return t.kind === "fanout" && Number.isSafeInteger(t.transfer) && t.transfer! >= 0 &&
    Number.isSafeInteger(t.bytes) && t.bytes! >= 0 && Number.isInteger(t.align) &&
    t.align! >= 0 && t.align! < 8;
}
