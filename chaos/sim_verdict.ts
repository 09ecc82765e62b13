/**
 * The end of a simulated run: reading every counter and every pinger's
 * count, and checking them with the oracle (chaos/oracle.ts).
 *
 * @module
 */

import type { ActorRef, ActorSystem, Ask } from "../mod.ts";
import type { VirtualClock } from "../testing.ts";
import type { PingerProtocol, RecorderProtocol } from "./sim_actors.ts";
import { checkCounter, checkTells } from "./oracle.ts";
import { settleOne } from "./sim_time.ts";

/** A simulated host, as the verdict sees it. */
export interface SimHost {
  readonly id: string;
  readonly system: ActorSystem;
  crashed: boolean;
  pinger: ActorRef<PingerProtocol> | undefined;
}

/** A counter of the workload. */
export type CounterRef = ActorRef<{ add: Ask<number, number>; get: Ask<void, number> }>;

/** No acknowledged update lost: each counter's final value against its history. */
export async function checkCounters(
  clock: VirtualClock,
  children: ReadonlyMap<string, CounterRef | undefined>,
  acked: ReadonlyMap<string, number[]>,
  unknown: ReadonlyMap<string, number>,
): Promise<string[]> {
  const violations: string[] = [];
  for (const [id, ref] of children) {
    if (ref === undefined) {
      violations.push(`${id}: not running at the end`);
      continue;
    }
    const final = await settleOne(clock, ref.ask("get", undefined, { timeoutMs: 2_000 }))
      .catch((err) => err as Error);
    if (final instanceof Error) {
      violations.push(`${id}: final read failed: ${final.name}: ${final.message}`);
      continue;
    }
    violations.push(...checkCounter(id, acked.get(id) ?? [], unknown.get(id) ?? 0, final));
  }
  return violations;
}

/** What the pingers' tells came to. */
export interface TellsVerdict {
  readonly violations: string[];
  readonly tellsSent: number;
  readonly tellsHandled: number;
  readonly tellsDeadLettered: number;
  /** Tells the recorder got from pingers on crashed hosts (their sent count died with them). */
  readonly tellsSentByCrashed: number;
}

/** Every tell of a live sender handled or dead-lettered, once, in order. */
export async function checkPingers(
  clock: VirtualClock,
  hosts: readonly SimHost[],
  recorder: ActorRef<RecorderProtocol>,
): Promise<TellsVerdict> {
  const violations: string[] = [];
  let tellsSent = 0;
  let tellsHandled = 0;
  let tellsDeadLettered = 0;
  let tellsSentByCrashed = 0;
  const report = await settleOne(clock, recorder.ask("report", undefined, { timeoutMs: 2_000 }))
    .catch((err) => err as Error);
  if (report instanceof Error) {
    violations.push(`the recorder does not answer at the end: ${report.name}: ${report.message}`);
    return { violations, tellsSent, tellsHandled, tellsDeadLettered, tellsSentByCrashed };
  }
  for (const h of hosts) {
    if (h.pinger === undefined) continue;
    const record = report[h.pinger.id] ?? { received: 0, lastSeq: 0, outOfOrder: 0 };
    if (h.crashed) {
      if (record.outOfOrder > 0) {
        violations.push(`${h.id}: ${record.outOfOrder} tells out of order`);
      }
      tellsSentByCrashed += record.received;
      continue;
    }
    const pinger = h.pinger;
    const sent = await settleOne(clock, pinger.ask("sent", undefined, { timeoutMs: 2_000 }))
      .catch(() => undefined);
    if (sent === undefined) {
      // Its host was declared lost (cut off too long) and fenced itself: the
      // pinger stopped there with a host-lost record. Anything else is a fault.
      const fenced = h.system.deaths.of(pinger.id).some((d) => d.kind === "host-lost");
      if (!fenced) violations.push(`${h.id}: its pinger does not answer at the end`);
      continue;
    }
    const dead = h.system.deadLetters.recent().filter((l) =>
      l.messageName === "record" && l.target.id === recorder.id
    ).length;
    tellsSent += sent;
    tellsHandled += record.received;
    tellsDeadLettered += dead;
    violations.push(...checkTells(h.id, sent, record.received, dead, record.outOfOrder));
  }
  return { violations, tellsSent, tellsHandled, tellsDeadLettered, tellsSentByCrashed };
}
