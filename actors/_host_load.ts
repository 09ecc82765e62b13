/**
 * A host's load at one moment, measured in one pass over its actors: what
 * heartbeats, metrics and inspections report of it.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import { ITEMS_PER_PAUSE, type Steps } from "../base/slices.ts";
import type { Cell } from "./cell.ts";
import type { LoadMeter } from "./load_meter.ts";

/** A host's load at one moment. */
export interface HostLoad {
  /** Messages waiting in all mailboxes. */
  readonly queuedMessages: number;
  /** Messages handled since the host started. */
  readonly handledMessages: number;
  /** Messages handled per second, lately. */
  readonly messagesPerSecond: number;
}

/**
 * Measures a host's load as a long step, for `runInSlices`: it pauses every
 * `ITEMS_PER_PAUSE` actors, so that a host of a million does not stall its turns.
 *
 * @param cells The host's live actors.
 * @param handledByRemoved The messages handled by its actors that are gone.
 * @param meter The host's rate meter, sampled once the count is done.
 * @param clock The time source of the sample.
 * @returns The load.
 */
export function* hostLoadSteps(
  cells: Iterable<Cell>,
  handledByRemoved: number,
  meter: LoadMeter,
  clock: Clock,
): Steps<HostLoad> {
  let queued = 0;
  let handled = handledByRemoved;
  let counted = 0;
  for (const cell of cells) {
    queued += cell.queued;
    handled += cell.handled;
    if (++counted % ITEMS_PER_PAUSE === 0) yield;
  }
  const messagesPerSecond = meter.sample(clock.now(), handled);
  return { queuedMessages: queued, handledMessages: handled, messagesPerSecond };
}
