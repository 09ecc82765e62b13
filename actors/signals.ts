/**
 * Lifecycle signals: what the runtime tells an actor about other actors.
 * They are a union of their own, apart from the protocol's messages, and
 * arrive at the definition's `onSignal` in mailbox order.
 *
 * @module
 */

import type { BaseRef } from "./ref.ts";
import type { DeathRecord } from "./death_records.ts";

/**
 * A lifecycle signal:
 * - `"terminated"`: a watched actor has stopped for good; `record` says why
 *   (it is `undefined` when the actor was never known here).
 */
export type Signal = {
  readonly kind: "terminated";
  /** The actor that stopped. */
  readonly ref: BaseRef;
  /** Its final death record. */
  readonly record: DeathRecord | undefined;
};
