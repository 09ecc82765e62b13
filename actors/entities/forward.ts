/**
 * Forwarding a message to the host that holds an entity's shard. An ask
 * keeps its caller's deadline: the forwarded ask times out when the caller
 * stops waiting, not after this host's default timeout.
 *
 * @module
 */

import type { EntityHost } from "./host.ts";
import type { UntypedRef } from "../ref.ts";
import type { ActorId } from "../ids.ts";
import { TellOrigin } from "../ask.ts";
import { UnknownActorError } from "../errors.ts";
import { entityAddress } from "./address.ts";
import { type Activation, type Held, refuse } from "./activation.ts";

/**
 * Sends one held message to `holder`'s activation of the entity; a refusal
 * goes back through its `via`.
 *
 * @returns For an ask, its relay: settles when the holder's answer came back.
 */
export function forward(
  runtime: EntityHost,
  activation: Activation,
  holder: string,
  held: Held,
): Promise<void> | undefined {
  const ref = runtime.remote.resolve({
    $ref: entityAddress(holder, activation.type, activation.key) as ActorId,
    type: activation.type,
  }) as UntypedRef | undefined;
  if (ref === undefined) {
    const error = new UnknownActorError(activation.id);
    refuse(held.via, activation.id, activation.type, held.name, held.payload, error);
    return undefined;
  }
  const via = held.via;
  if (via instanceof TellOrigin) {
    try {
      ref.tell(held.name, held.payload);
    } catch (err) {
      via.refused(activation.id, activation.type, held.name, held.payload, err as Error);
    }
    return undefined;
  }
  if (via.settled) return undefined;
  const deadlineMs = via.deadlineMs;
  const options = deadlineMs === undefined
    ? undefined
    : { timeoutMs: Math.max(1, Math.ceil(deadlineMs - runtime.clock.now())) };
  return ref.ask(held.name, held.payload, options).then(
    (value) => via.resolve(value),
    (err) => via.reject(err),
  );
}
