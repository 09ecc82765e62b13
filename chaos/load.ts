/**
 * The workload of the process scenarios: persistent counters under a
 * supervisor on the driver, spread over the agents, each incremented by a
 * loop of asks; the history (acknowledged values, unknown outcomes) is kept
 * for the oracle.
 *
 * @module
 */

import { type ActorRef, type ActorSystem, type Ask, childSpec, defineSupervisor } from "../mod.ts";
import { ChaosCounter } from "./process_actors.ts";
import { checkCounter } from "./oracle.ts";
import { sleep } from "./process_cluster.ts";

type CounterRef = ActorRef<{ addAndGet: Ask<number, number>; get: Ask<void, number> }>;

/** Counters under load, and their history. */
export interface CounterLoad {
  /** Where each counter runs now. */
  current(): Promise<Map<string, { ref: CounterRef | undefined; host: string | undefined }>>;
  /** The counters running on one host now. */
  onHost(hostId: string): Promise<string[]>;
  /** Marks "now": from here on, `servedAfterMark` records who answered. */
  mark(): void;
  /** Counters that answered an ask sent after the mark, with the host that answered. */
  readonly servedAfterMark: Map<string, string>;
  /** Acknowledged asks so far. */
  acknowledged(): number;
  /**
   * Asks refused with `StateConflictError`: sent to a stale activation (on a
   * host that was frozen or cut off) whose write was refused, as it must be.
   */
  fencedWrites(): number;
  /** Stops the load, reads every counter and checks the history. */
  finish(): Promise<string[]>;
}

/** Starts `count` supervised persistent counters spread over the `worker=1` hosts, under load. */
export async function countersUnderLoad(driver: ActorSystem, count: number): Promise<CounterLoad> {
  const Sup = defineSupervisor({
    type: "chaos-sup",
    strategy: { kind: "one_for_one", maxRestarts: count * 10, withinMs: 10_000 },
    children: Array.from({ length: count }, (_, i) =>
      childSpec(ChaosCounter, {
        id: `c${i}`,
        name: `c${i}`,
        placement: { kind: "spread", labels: { worker: "1" } },
      })),
  });
  const sup = driver.spawn(Sup, { name: "chaos-sup" });
  const whyDead = () => {
    const why = driver.deaths.last(sup);
    if (why === undefined) return "it is not dead";
    const children = new Map<string, number>();
    for (const d of driver.deaths.find({ parentId: sup.id })) {
      const what = `${d.kind} ${d.error?.name ?? ""}: ${d.error?.message ?? ""}`;
      children.set(what, (children.get(what) ?? 0) + 1);
    }
    const top = [...children].sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([what, n]) => `${n} x ${what}`).join("; ");
    return `it died: ${why.kind} ${why.error?.name ?? ""}: ${why.error?.message ?? ""}; ` +
      `its children's deaths: ${top}`;
  };
  try {
    await sup.ask("which", undefined, { timeoutMs: 120_000 });
  } catch (err) {
    throw new Error(`the supervisor did not start its ${count} counters (${whyDead()})`, {
      cause: err,
    });
  }
  // One `which` at a time, shared by every loop that asks meanwhile (900
  // loops each asking and resolving 900 refs would stall the driver).
  let inFlight: ReturnType<typeof readCurrent> | undefined;
  const current = () => {
    inFlight ??= readCurrent().finally(() => void (inFlight = undefined));
    return inFlight;
  };
  const which = () =>
    sup.ask("which", undefined, { timeoutMs: 10_000 }).catch((err) => {
      throw new Error(`the supervisor does not answer (${whyDead()})`, { cause: err });
    });
  const readCurrent = async () =>
    new Map(
      (await which()).map((c) => [c.id, {
        ref: c.ref === undefined
          ? undefined
          : driver.resolveRef(c.ref.toJSON(), ChaosCounter) as CounterRef,
        host: c.hostId,
      }]),
    );
  const acked = new Map<string, number[]>();
  const unknown = new Map<string, number>();
  const servedAfterMark = new Map<string, string>();
  let conflicts = 0;
  let markedAt = Infinity;
  let stopping = false;
  const ids = Array.from({ length: count }, (_, i) => `c${i}`);
  const loops = ids.map(async (id) => {
    let ref: CounterRef | undefined;
    while (!stopping) {
      const sentAt = Date.now();
      try {
        ref ??= (await current()).get(id)?.ref;
        if (ref === undefined) throw new Error("not placed");
        const value = await ref.ask("addAndGet", 1, { timeoutMs: 3_000 });
        (acked.get(id) ?? acked.set(id, []).get(id)!).push(value);
        if (sentAt >= markedAt) servedAfterMark.set(id, ref.id.split("/")[0]);
      } catch (err) {
        if ((err as Error).message !== "not placed") unknown.set(id, (unknown.get(id) ?? 0) + 1);
        if ((err as Error).name === "StateConflictError") conflicts++;
        ref = undefined;
        await sleep(50);
      }
    }
  });
  return {
    current,
    onHost: async (hostId) =>
      [...(await current()).entries()].filter(([, v]) => v.host === hostId).map(([id]) => id),
    mark: () => void (markedAt = Date.now()),
    servedAfterMark,
    acknowledged: () => [...acked.values()].reduce((n, v) => n + v.length, 0),
    fencedWrites: () => conflicts,
    finish: async () => {
      stopping = true;
      await Promise.all(loops);
      const violations: string[] = [];
      const now = await current();
      for (const id of ids) {
        const ref = now.get(id)?.ref;
        const final = await ref?.ask("get", undefined, { timeoutMs: 10_000 }).catch(() =>
          undefined
        );
        if (final === undefined) {
          violations.push(`${id}: does not answer at the end`);
          continue;
        }
        violations.push(...checkCounter(id, acked.get(id) ?? [], unknown.get(id) ?? 0, final));
      }
      return violations;
    },
  };
}
