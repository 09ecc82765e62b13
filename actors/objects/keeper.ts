/**
 * The keeper: one actor per host, spawned on the host's first `put` or
 * remote `get`, through which other hosts reach its objects. A fetch is an
 * ordinary ask to the holder's keeper, so its reply travels the normal
 * remote ask/reply path (and gains whatever that path gains, such as
 * chunking of large replies). The keeper also hears, as tells, releases from
 * other hosts and the news that an object this host read was dropped.
 *
 * Everything it receives may come from the wire: its handlers check their
 * input and never throw (a failed keeper would lose every object of its host).
 *
 * @module
 */

import { defineActor } from "../definition.ts";
import type { Ask, Tell } from "../protocol.ts";
import type { BaseRef } from "../ref.ts";
import { isObjectId } from "./object_ref.ts";
import { OBJECT_LOST_REASONS, type ObjectLostReason } from "./errors.ts";
import { type FetchAnswer, KEEPER_TYPE, type KeeperSide } from "./keeper_side.ts";

/** The keeper's messages. */
export type KeeperProtocol = {
  get: Ask<{ id: string; reader?: BaseRef; fanout?: boolean }, FetchAnswer>;
  release: Tell<string>;
  dropped: Tell<{ id: string; reason: ObjectLostReason }>;
};

const isRef = (value: unknown): value is BaseRef =>
  value !== null && typeof value === "object" && typeof (value as BaseRef).id === "string" &&
  typeof (value as { tell?: unknown }).tell === "function";

/** The keeper: its state is its host's object table, given at spawn. */
export const Keeper = defineActor<KeeperProtocol, KeeperSide, KeeperSide>({
  type: KEEPER_TYPE,
  init: (side) => side,
  asks: {
    get: (side, request) => {
      const id = (request as { id?: unknown } | undefined)?.id;
      if (!isObjectId(id)) return { state: side, reply: { kind: "lost", reason: "not-found" } };
      const reader = (request as { reader?: unknown }).reader;
      const fanout = (request as { fanout?: unknown }).fanout === true;
      return { state: side, reply: side.serve(id, isRef(reader) ? reader : undefined, fanout) };
    },
  },
  tells: {
    release: (side, id) => {
      if (isObjectId(id)) side.releaseHeld(id);
      return side;
    },
    dropped: (side, notice) => {
      const { id, reason } = (notice ?? {}) as { id?: unknown; reason?: unknown };
      if (isObjectId(id) && OBJECT_LOST_REASONS.includes(reason as ObjectLostReason)) {
        side.dropCopy(id, reason as ObjectLostReason);
      }
      return side;
    },
  },
  onStop: (side) => side.keeperStopped(),
});
