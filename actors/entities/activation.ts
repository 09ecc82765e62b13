/**
 * One entity's activation on one host, and the messages held for it: the
 * records the registry routes by, with the two ways a message leaves them
 * (into a mailbox, or refused through its reply target or tell origin).
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import type { ReplyTarget } from "../ask.ts";
import type { ActorDefinition } from "../definition.ts";
import type { ResolvedEntityOptions } from "./entity_options.ts";
import type { Shard } from "./shard_table.ts";
import { TellOrigin } from "../ask.ts";

/** One message on its way to an entity: a tell's origin or an ask's reply target. */
export interface Held {
  readonly name: string;
  readonly payload: unknown;
  readonly via: ReplyTarget | TellOrigin;
  readonly bytes: number;
}

/**
 * Where one entity's activation on this host is:
 * - `"claiming"`: waiting for its shard (claimed, read, or handed off); messages are held;
 * - `"active"`: resident; messages go to its mailbox;
 * - `"passivating"`: stopping; messages are held for what comes next;
 * - `"forwarding"`: another live host holds its shard; messages go there.
 */
export type Phase = "claiming" | "active" | "passivating" | "forwarding";

/** One entity known to this host. */
export interface Activation {
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly definition: ActorDefinition<unknown, unknown, unknown>;
  readonly options: ResolvedEntityOptions;
  readonly shard: Shard;
  phase: Phase;
  cell: Cell | undefined;
  holder: string | undefined;
  held: Held[];
  lastUsedMs: number;
  /** Its neighbours in the host's use order (`known.ts`). */
  older: Activation | undefined;
  newer: Activation | undefined;
}

/**
 * A new activation, claiming its shard (the first message for an entity this host does not know).
 *
 * @param name The entity's id, type and key.
 * @param nowMs Now, its last use.
 */
export function newActivation(
  name: { readonly id: string; readonly type: string; readonly key: string },
  definition: ActorDefinition<unknown, unknown, unknown>,
  options: ResolvedEntityOptions,
  shard: Shard,
  nowMs: number,
): Activation {
  return {
    id: name.id,
    type: name.type,
    key: name.key,
    definition,
    options,
    shard,
    phase: "claiming",
    cell: undefined,
    holder: undefined,
    held: [],
    lastUsedMs: nowMs,
    older: undefined,
    newer: undefined,
  };
}

/** Queues a message in a resident entity's mailbox; a refusal goes back through its `via`. */
export function offer(
  activation: Activation,
  cell: Cell,
  name: string,
  payload: unknown,
  via: ReplyTarget | TellOrigin,
  bytes: number,
): void {
  const refused = cell.offer(name, payload, via, bytes);
  // An ask's target was told by `offer`; a tell's origin hears it here.
  if (refused !== undefined && via instanceof TellOrigin) {
    via.refused(activation.id, activation.type, name, payload, refused);
  }
}

/** Refuses a message: an ask's target rejects, a tell's origin records its dead letter. */
export function refuse(
  via: ReplyTarget | TellOrigin,
  id: string,
  type: string,
  name: string,
  payload: unknown,
  error: Error,
): void {
  if (via instanceof TellOrigin) via.refused(id, type, name, payload, error);
  else via.reject(error);
}
