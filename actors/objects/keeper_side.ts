/**
 * What the keeper (`keeper.ts`) and its host's object table say to each
 * other, apart from the keeper's definition (so the table does not load
 * the actor machinery it is loaded by).
 *
 * @module
 */

import type { BaseRef } from "../ref.ts";
import type { ObjectLostReason } from "./errors.ts";
import type { FanTicket } from "./fanout_port.ts";

/** The keeper's actor type. */
export const KEEPER_TYPE = "system:objects";

/** A holder's answer to a fetch: the value, the transfer it comes by, or why there is none. */
export type FetchAnswer =
  | { readonly kind: "value"; readonly value: unknown }
  | FanTicket
  | { readonly kind: "lost"; readonly reason: ObjectLostReason };

/** What the keeper does for its table. */
export interface KeeperSide {
  /**
   * A fetch from another host; `reader` is that host's keeper, told when the
   * object is dropped; `fanout` says the reader takes a fan-out ticket.
   */
  serve(id: string, reader: BaseRef | undefined, fanout: boolean): FetchAnswer;
  /** A release from another host. */
  releaseHeld(id: string): void;
  /** An object this host read was dropped by its holder. */
  dropCopy(id: string, reason: ObjectLostReason): void;
  /** The keeper stopped: the host is shutting down. */
  keeperStopped(): void;
}
