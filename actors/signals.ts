/**
 * Lifecycle signals: what the runtime tells an actor about other actors.
 * They are a union of their own, apart from the protocol's messages, and
 * arrive at the definition's `onSignal` before any queued user message
 * (they travel in the mailbox's system lane and never wait behind a backlog).
 *
 * @module
 */

import type { BaseRef } from "./ref.ts";
import type { DeathRecord } from "./observe/death_records.ts";

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
