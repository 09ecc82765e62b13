/**
 * The invariants a run's history must satisfy, as pure functions of that
 * history, so that they can be tested on crafted histories too.
 *
 * @module
 */

import { decodeState, type PersistenceSpec } from "../actors/persistence/persistence.ts";
import type { AcceptedWrite } from "./recording_store.ts";

/**
 * A counter that every acknowledged ask raised by 1: the committed values
 * are 1, 2, 3, ..., so each acknowledged ask must own a distinct value (two
 * asks acknowledged with one value means an update was built on stale state:
 * it was lost); the final value is at least the highest acknowledged one and
 * at most what the acknowledged and unknown asks add up to. Arrival order
 * proves nothing: replies of two activations travel apart.
 *
 * @returns The violations (empty when it holds).
 */
export function checkCounter(
  id: string,
  acknowledged: readonly number[],
  unknown: number,
  final: number,
): string[] {
  const violations: string[] = [];
  const seen = new Set<number>();
  for (const value of acknowledged) {
    if (seen.has(value)) {
      violations.push(`${id}: ${value} acknowledged twice (an acknowledged update was lost)`);
      break;
    }
    seen.add(value);
  }
  const highest = Math.max(0, ...acknowledged);
  if (final < highest) violations.push(`${id}: stored ${final} < acknowledged ${highest}`);
  if (final - acknowledged.length > unknown) {
    violations.push(
      `${id}: ${final} stored after ${acknowledged.length} acknowledged and ${unknown} unknown increments`,
    );
  }
  return violations;
}

/**
 * Never two activations writing one key: in the store's accepted writes of
 * each key, once another activation has written, an earlier one never
 * writes again. Each stored state names its `writer`; a state without one
 * (the first claim, before any change) is skipped.
 *
 * @returns The violations (empty when it holds).
 */
export function checkWriters(writes: readonly AcceptedWrite[]): string[] {
  const writers = new Map<string, string[]>();
  for (const w of writes) {
    const state = storedState(w.key, w.value);
    const writer = state?.writer ?? "";
    if (writer === "") continue;
    const list = writers.get(w.key) ?? writers.set(w.key, []).get(w.key)!;
    if (list.at(-1) !== writer) list.push(writer);
  }
  const violations: string[] = [];
  for (const [key, list] of writers) {
    if (new Set(list).size !== list.length) {
      violations.push(`${key}: writers interleaved ${list.join(" → ")} (two activations wrote)`);
    }
  }
  return violations;
}

/**
 * Every tell a live sender sent was handled or is a dead letter on the
 * sender, and they arrived in order.
 *
 * @returns The violations (empty when it holds).
 */
export function checkTells(
  sender: string,
  sent: number,
  handled: number,
  deadLettered: number,
  outOfOrder: number,
): string[] {
  const violations: string[] = [];
  if (outOfOrder > 0) violations.push(`${sender}: ${outOfOrder} tells out of order`);
  if (handled + deadLettered !== sent) {
    violations.push(
      `${sender}: sent ${sent} tells, ${handled} handled + ${deadLettered} dead letters`,
    );
  }
  return violations;
}

/** A stored state, read with the store's own codec; `undefined` when it cannot be read. */
function storedState(key: string, bytes: Uint8Array): { writer?: string } | undefined {
  try {
    const anyVersion: PersistenceSpec<{ writer?: string }> = {
      version: 0xffff_ffff,
      migrate: (_from, stored) => stored as { writer?: string },
    };
    return decodeState(bytes, anyVersion, key).state;
  } catch {
    return undefined;
  }
}
