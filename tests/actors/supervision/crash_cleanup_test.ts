/**
 * What OTP does when a child crashes, stops slowly or gives up: a crashing
 * child cleans up as it crashes (its `terminate`), with no deadline, before
 * its supervisor acts; a crash during a restart keeps its error in the death
 * record; a nested supervisor waits for its subtree; a transient supervisor
 * that gave up is not restarted.
 */

import assert from "node:assert/strict";
import { childSpec, defineActor, defineSupervisor, type Tell } from "../../../mod.ts";
import type { ExitReason, StrategyKind } from "../../../types.ts";
import type { DeathRecord } from "../../../actors/observe/death_records.ts";
import { waitFor, withSystem } from "../../_helpers/system.ts";

type Protocol = { crash: Tell<string> };

/**
 * A worker that logs its start, the start and end of its `onStop` (with the
 * kind of reason it got), and whose `onStop` takes `stopMs[label]` real
 * milliseconds (`Infinity`: it never ends).
 */
function slowStopper(log: string[], stopMs: Record<string, number> = {}) {
  return defineActor<Protocol, string, string>({
    type: "slow-stopper",
    init: (label) => {
      log.push(`start ${label}`);
      return label;
    },
    onStop: async (label, _ctx, reason: ExitReason) => {
      log.push(`stop ${label} (${reason.kind})`);
      const ms = stopMs[label] ?? 0;
      if (ms === Infinity) await new Promise(() => {});
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`stopped ${label}`);
    },
    tells: {
      crash: (label, why) => {
        throw new Error(`${label}: ${why}`);
      },
    },
  });
}

function threeOf(
  log: string[],
  kind: StrategyKind,
  stopMs: Record<string, number>,
  shutdownTimeoutMs: number,
) {
  const Worker = slowStopper(log, stopMs);
  return defineSupervisor({
    type: "three",
    strategy: { kind, maxRestarts: 10, withinMs: 60_000 },
    children: ["a", "b", "c"].map((id) =>
      childSpec(Worker, { id, name: id, args: id, shutdownTimeoutMs })
    ),
  });
}

Deno.test("a crashing child's onStop runs as it crashes, with its error, to the end, before its supervisor restarts it", async () => {
  const log: string[] = [];
  await withSystem(async (system) => {
    // b's cleanup takes longer than the deadline of a stop its supervisor orders.
    const sup = system.spawn(threeOf(log, "one_for_one", { b: 300 }, 50));
    await system.whenStarted(sup);
    log.length = 0;
    const deaths: DeathRecord[] = [];
    system.deaths.subscribe((r) => deaths.push(r));
    system.lookup("b", slowStopper([]))!.tell("crash", "bad batch");
    await waitFor(() => log.includes("start b"), "b to restart", 10_000);
    assert.deepEqual(log, ["stop b (error)", "stopped b", "start b"]);
    assert.equal(deaths.length, 1);
    assert.equal(deaths[0].kind, "error");
    assert.equal(deaths[0].forced, false, "a crash's own cleanup has no deadline");
    assert.match(deaths[0].error?.message ?? "", /b: bad batch/);
    assert.equal(deaths[0].outcome, "restarted");
  });
});

Deno.test("one_for_all: the crashed child cleans up first, then the others stop in reverse start order, then all start in order", async () => {
  const log: string[] = [];
  await withSystem(async (system) => {
    const sup = system.spawn(threeOf(log, "one_for_all", {}, 5_000));
    await system.whenStarted(sup);
    log.length = 0;
    system.lookup("a", slowStopper([]))!.tell("crash", "oops");
    await waitFor(() => log.includes("start c"), "the restart", 10_000);
    assert.deepEqual(log, [
      "stop a (error)",
      "stopped a",
      "stop c (stopped)",
      "stopped c",
      "stop b (stopped)",
      "stopped b",
      "start a",
      "start b",
      "start c",
    ]);
  });
});

Deno.test("a child that crashes while its supervisor is restarting its siblings keeps its error in its death record", async () => {
  const log: string[] = [];
  await withSystem(async (system) => {
    // c stops slowly, so a's crash lands while the one_for_all restart is under way.
    const sup = system.spawn(threeOf(log, "one_for_all", { c: 200 }, 5_000));
    await system.whenStarted(sup);
    const deaths: DeathRecord[] = [];
    system.deaths.subscribe((r) => deaths.push(r));
    system.lookup("b", slowStopper([]))!.tell("crash", "first");
    await waitFor(() => log.includes("stop c (stopped)"), "the restart to begin");
    system.lookup("a", slowStopper([]))!.tell("crash", "second, during the restart");
    await waitFor(() => log.filter((l) => l.startsWith("start")).length === 6, "the restart");
    await sup.ask("which");
    const ofA = deaths.filter((r) => r.actor.name === "a");
    assert.equal(ofA.length, 1, `a died once: ${JSON.stringify(ofA)}`);
    assert.equal(ofA[0].kind, "error");
    assert.match(ofA[0].error?.message ?? "", /a: second, during the restart/);
    assert.equal(ofA[0].outcome, "restarted");
    for (const name of ["a", "b", "c"]) {
      assert.equal(system.lookup(name, slowStopper([]))?.stats().status, "running");
    }
  });
});

Deno.test("a sibling whose onStop overruns the deadline of an ordered restart is cut off, and its record says so", async () => {
  const log: string[] = [];
  await withSystem(async (system) => {
    const sup = system.spawn(threeOf(log, "one_for_all", { c: Infinity }, 50));
    await system.whenStarted(sup);
    log.length = 0;
    const deaths: DeathRecord[] = [];
    system.deaths.subscribe((r) => deaths.push(r));
    system.lookup("b", slowStopper([]))!.tell("crash", "oops");
    await waitFor(() => log.includes("start c"), "the restart", 10_000);
    assert.deepEqual(log, [
      "stop b (error)",
      "stopped b",
      "stop c (stopped)",
      "stop a (stopped)",
      "stopped a",
      "start a",
      "start b",
      "start c",
    ]);
    const ofC = deaths.find((r) => r.actor.name === "c");
    assert.equal(ofC?.kind, "timeout");
    assert.equal(ofC?.forced, true, "the record says its onStop was cut off");
    assert.equal(ofC?.outcome, "restarted");
  });
});

Deno.test("a nested supervisor has no shutdown deadline of its own by default: its slow subtree stops to the end", async () => {
  const log: string[] = [];
  // Two workers whose onStop takes 3 s each (within their own 5 s), 6 s for the subtree.
  const Worker = slowStopper(log, { w1: 3_000, w2: 3_000 });
  const Inner = defineSupervisor({
    type: "inner",
    children: ["w1", "w2"].map((id) => childSpec(Worker, { id, args: id })),
  });
  const Outer = defineSupervisor({ type: "outer", children: [childSpec(Inner, { id: "inner" })] });
  assert.equal(childSpec(Inner, { id: "inner" }).shutdownTimeoutMs, Infinity);
  assert.equal(childSpec(Worker, { id: "w", args: "w" }).shutdownTimeoutMs, 5_000);
  await withSystem(async (system) => {
    const outer = system.spawn(Outer);
    await system.whenStarted(outer);
    const deaths: DeathRecord[] = [];
    system.deaths.subscribe((r) => deaths.push(r));
    await system.stop(outer);
    assert.deepEqual(log.slice(2), [
      "stop w2 (stopped)",
      "stopped w2",
      "stop w1 (stopped)",
      "stopped w1",
    ]);
    assert.deepEqual(
      deaths.map((r) => `${r.actor.type}:${r.kind}:${r.forced}`),
      [
        "slow-stopper:stopped:false",
        "slow-stopper:stopped:false",
        "inner:stopped:false",
        "outer:stopped:false",
      ],
    );
  });
});

Deno.test("a transient supervisor that gave up is not restarted; a permanent one is", async () => {
  for (const restart of ["transient", "permanent"] as const) {
    const log: string[] = [];
    const Worker = slowStopper(log);
    const Inner = defineSupervisor({
      type: "inner",
      strategy: { kind: "one_for_one", maxRestarts: 0, withinMs: 5_000 },
      children: [childSpec(Worker, { id: "w", name: `w-${restart}`, args: "w" })],
    });
    const Outer = defineSupervisor({
      type: "outer",
      strategy: { kind: "one_for_one", maxRestarts: 5, withinMs: 5_000 },
      children: [childSpec(Inner, { id: "inner", restart })],
    });
    await withSystem(async (system) => {
      const outer = system.spawn(Outer);
      await system.whenStarted(outer);
      system.lookup(`w-${restart}`, Worker)!.tell("crash", "once is too often");
      await waitFor(
        async () => {
          const [inner] = await outer.ask("which");
          return restart === "transient" ? inner.status === "stopped" : inner.restarts === 1;
        },
        `inner (${restart}) to be ${restart === "transient" ? "left stopped" : "restarted"}`,
        10_000,
      );
      const [inner] = await outer.ask("which");
      assert.equal(inner.restarts, restart === "transient" ? 0 : 1, restart);
      assert.equal(system.deaths.last(outer), undefined, "the outer supervisor keeps running");
    });
  }
});
