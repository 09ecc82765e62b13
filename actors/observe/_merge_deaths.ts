/**
 * The death records of a cluster inspection, one per death. A supervisor
 * records the end of its child on another host too (so that "why did it
 * die" is answered where the supervisor is, also when the child's host is
 * lost), and the child's host records the same death where it happened.
 * When both answered, the two become one record: the child host's (its
 * stack, stop timeout, `onStop` error and time) with the supervisor's view
 * (its parent, the restart count and whether it was restarted), which the
 * child's host cannot know.
 *
 * @module
 */

import type { DeathRecord } from "./death_records.ts";

/** The death records one host reported. */
export interface ReportedDeaths {
  /** The host that reported them. */
  readonly reporter: string;
  /** Its records. */
  readonly deaths: readonly DeathRecord[];
}

/**
 * Merges every host's records into one list, one record per death.
 *
 * @param reports The records of each host that answered.
 * @returns Every record, a death recorded by two hosts only once (in no particular order).
 */
export function mergeDeaths(reports: readonly ReportedDeaths[]): DeathRecord[] {
  // The final deaths each host recorded for its own actors, by actor id.
  const own = new Map<string, DeathRecord>();
  for (const { reporter, deaths } of reports) {
    for (const record of deaths) {
      if (record.hostId === reporter && record.outcome === "stopped") {
        own.set(`${record.actor.id} ${record.kind}`, record);
      }
    }
  }
  const merged: DeathRecord[] = [];
  const replaced = new Set<DeathRecord>();
  for (const { reporter, deaths } of reports) {
    for (const record of deaths) {
      if (record.hostId === reporter) continue;
      const where = own.get(`${record.actor.id} ${record.kind}`);
      if (where === undefined || replaced.has(where)) {
        merged.push(record);
        continue;
      }
      replaced.add(where);
      merged.push({
        ...where,
        parent: record.parent ?? where.parent,
        restartCount: record.restartCount,
        outcome: record.outcome,
      });
    }
  }
  for (const { reporter, deaths } of reports) {
    for (const record of deaths) {
      if (record.hostId === reporter && !replaced.has(record)) merged.push(record);
    }
  }
  return merged;
}
