/**
 * OTP's `start_link` for supervisors: children start one at a time, each
 * once the one before has finished `init`, in spec order, on first starts,
 * restarts and `startChild`; a child that does not start fails what started
 * it, and nothing else.
 */

import assert from "node:assert/strict";
import { ActorStartError, childSpec, ChildStartError, defineSupervisor } from "../../../mod.ts";
import type { StrategyKind } from "../../../types.ts";
import type { ActorStats } from "../../../actors/ref.ts";
import { type Failing, noneFailing, starter } from "../../_helpers/starters.ts";
import { waitFor, withSystem } from "../../_helpers/system.ts";

/** A supervisor of the starters `labels`, in that order. */
function supervisorOf(
  log: string[],
  labels: readonly string[],
  kind: StrategyKind = "one_for_one",
  failing: Failing = noneFailing(),
) {
  const Starter = starter(log, failing);
  return defineSupervisor({
    type: "starters",
    strategy: { kind, maxRestarts: 10, withinMs: 60_000 },
    children: labels.map((id) => childSpec(Starter, { id, name: id, args: id })),
  });
}

/** An outer supervisor of o1, an inner supervisor (of i1 and i2) and o2, in that order. */
function nestedTree(Starter: ReturnType<typeof starter>) {
  const Inner = defineSupervisor({
    type: "inner",
    children: ["i1", "i2"].map((id) => childSpec(Starter, { id, args: id })),
  });
  return defineSupervisor({
    type: "outer",
    children: [
      childSpec(Starter, { id: "o1", args: "o1" }),
      childSpec(Inner, { id: "inner" }),
      childSpec(Starter, { id: "o2", args: "o2" }),
    ],
  });
}

Deno.test("a nested supervisor's children start before its younger uncles, each init done before the next", async () => {
  const log: string[] = [];
  const Outer = nestedTree(starter(log));
  await withSystem(async (system) => {
    await system.whenStarted(system.spawn(Outer));
    assert.deepEqual(log, [
      "init o1",
      "up o1",
      "init i1",
      "up i1",
      "init i2",
      "up i2",
      "init o2",
      "up o2",
    ]);
    log.length = 0;
    await system.shutdown();
    assert.deepEqual(log, ["stop o2", "stop i2", "stop i1", "stop o1"]);
  });
});

Deno.test("a child whose init fails fails its supervisor's start: the started ones stop in reverse order, the later ones never start, nothing restarts", async () => {
  const log: string[] = [];
  const failing = noneFailing();
  failing.always.add("c");
  await withSystem(async (system) => {
    const deaths: string[] = [];
    system.deaths.subscribe((r) =>
      deaths.push(`${r.actor.name ?? r.actor.type} ${r.kind} ${r.outcome}`)
    );
    const sup = system.spawn(supervisorOf(log, ["a", "b", "c", "d"], "one_for_one", failing));
    const err = await system.whenStarted(sup).then(() => undefined, (e) => e);
    assert.ok(ActorStartError.is(err), `not an ActorStartError: ${err}`);
    assert.equal(err.actorId, sup.id);
    const cause = err.cause;
    assert.ok(ChildStartError.is(cause), `not a ChildStartError: ${cause}`);
    assert.equal(cause.childId, "c");
    assert.equal((cause.cause as Error).message, "c cannot start");
    await system.whenStopped(sup);
    assert.deepEqual(log, ["init a", "up a", "init b", "up b", "init c", "stop b", "stop a"]);
    assert.equal(system.actorCount, 0);
    assert.deepEqual(
      deaths,
      [
        "c error stopped",
        "b shutdown stopped",
        "a shutdown stopped",
        "starters error stopped",
      ],
    );
    assert.equal(system.deaths.last(sup)?.error?.name, "ChildStartError");
  });
});

Deno.test("a nested supervisor whose child does not start fails the start of the whole tree", async () => {
  const log: string[] = [];
  const failing = noneFailing();
  failing.always.add("i2");
  const Outer = nestedTree(starter(log, failing));
  await withSystem(async (system) => {
    const outer = system.spawn(Outer);
    const err = await system.whenStarted(outer).then(() => undefined, (e) => e);
    assert.ok(ActorStartError.is(err));
    const inner = err.cause as ChildStartError;
    assert.equal(inner.childId, "inner");
    assert.equal((inner.cause as ChildStartError).childId, "i2");
    await system.whenStopped(outer);
    assert.deepEqual(log, [
      "init o1",
      "up o1",
      "init i1",
      "up i1",
      "init i2",
      "stop i1",
      "stop o1",
    ]);
    assert.equal(system.actorCount, 0);
  });
});

Deno.test("one_for_all: when a restarted child's init fails, the later siblings do not start; the restart is tried again", async () => {
  const log: string[] = [];
  const failing = noneFailing();
  await withSystem(async (system) => {
    const sup = system.spawn(supervisorOf(log, ["a", "b", "c"], "one_for_all", failing));
    await system.whenStarted(sup);
    log.length = 0;
    failing.once.add("b");
    await system.stop(system.lookup("a")!); // a permanent child that stops is restarted
    await waitFor(() => log.at(-1) === "up c", "the tree to be up again", 20_000);
    await sup.ask("which");
    assert.deepEqual(log, [
      "stop a",
      "stop c",
      "stop b",
      "init a",
      "up a",
      "init b",
      // b did not start: c is not started; all are stopped and started again.
      "stop a",
      "init a",
      "up a",
      "init b",
      "up b",
      "init c",
      "up c",
    ]);
    assert.deepEqual((await sup.ask("which")).map((c) => `${c.id}:${c.status}`), [
      "a:running",
      "b:running",
      "c:running",
    ]);
    assert.equal(sup.stats().status, "running");
  });
});

Deno.test("startChild of a child whose init fails answers its error; the supervisor and its other children are untouched", async () => {
  const log: string[] = [];
  const failing = noneFailing();
  failing.always.add("x");
  const Starter = starter(log, failing);
  await withSystem(async (system) => {
    const sup = system.spawn(supervisorOf(log, ["a", "b"], "one_for_all", failing));
    await system.whenStarted(sup);
    const a = system.lookup("a")!;
    const result = await sup.ask(
      "startChild",
      childSpec(Starter, { id: "x", name: "x", args: "x" }),
    );
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.message, "x cannot start");
    // Whatever x's failure queued to the supervisor is handled before this answer.
    const which = await sup.ask("which");
    assert.deepEqual(which.map((c) => `${c.id}:${c.status}:${c.restarts}`), [
      "a:running:0",
      "b:running:0",
    ]);
    assert.deepEqual(log, ["init a", "up a", "init b", "up b", "init x"]);
    assert.equal(system.lookup("a"), a);
    assert.equal((a.stats() as ActorStats).restarts, 0);
    assert.equal(sup.stats().status, "running");
    assert.equal(system.deaths.last(sup), undefined);
    assert.equal(system.deaths.find({ name: "x" }).map((r) => r.kind).join(), "error");
  });
});

Deno.test("startChild answers once the new child has started", async () => {
  const log: string[] = [];
  const Starter = starter(log);
  await withSystem(async (system) => {
    const sup = system.spawn(supervisorOf(log, []));
    const result = await sup.ask(
      "startChild",
      childSpec(Starter, { id: "y", name: "y", args: "y" }),
    );
    assert.equal(result.ok, true);
    assert.deepEqual(log, ["init y", "up y"]);
  });
});

Deno.test("the names of a supervisor's tree can be looked up once whenStarted resolves", async () => {
  const log: string[] = [];
  await withSystem(async (system) => {
    const sup = system.spawn(supervisorOf(log, ["w1", "w2"]));
    await system.whenStarted(sup);
    assert.equal((system.lookup("w2")?.stats() as ActorStats).status, "running");
    const placed = await system.spawn(supervisorOf(log, ["p1"]), {
      placement: { kind: "local" },
    });
    assert.equal(
      (system.lookup("p1")?.stats() as ActorStats).status,
      "running",
      "a placed spawn resolves started",
    );
    await system.whenStarted(placed);
  });
});

Deno.test("whenStarted of an actor whose init fails rejects with ActorStartError, and so does a placed spawn", async () => {
  const log: string[] = [];
  const failing = noneFailing();
  failing.always.add("z");
  const Starter = starter(log, failing);
  await withSystem(async (system) => {
    const z = system.spawn(Starter, { args: "z" });
    const err = await system.whenStarted(z).then(() => undefined, (e) => e);
    assert.ok(ActorStartError.is(err));
    assert.equal((err.cause as Error).message, "z cannot start");
    const again = await system.whenStarted(z).then(() => undefined, (e) => e);
    assert.ok(ActorStartError.is(again), "the outcome is kept");
    await assert.rejects(
      system.spawn(Starter, { args: "z", placement: { kind: "local" } }),
      (e: Error) => ActorStartError.is(e) && (e.cause as Error).message === "z cannot start",
    );
    const ok = system.spawn(Starter, { args: "fine" });
    await system.whenStarted(ok);
    await system.stop(ok);
    await system.whenStarted(ok); // it did start
  });
});

Deno.test("with backoff, a restart whose init fails is one more restart, not two: two restarts fit an intensity of 2", async () => {
  const log: string[] = [];
  const failing = noneFailing();
  const Starter = starter(log, failing);
  const Sup = defineSupervisor({
    type: "backoff-starters",
    strategy: {
      kind: "one_for_one",
      maxRestarts: 2,
      withinMs: 60_000,
      backoff: { minMs: 5, maxMs: 50, jitter: 0 },
    },
    children: [childSpec(Starter, { id: "b", name: "b", args: "b" })],
  });
  await withSystem(async (system) => {
    const sup = system.spawn(Sup);
    await system.whenStarted(sup);
    failing.once.add("b");
    system.lookup("b", Starter)!.tell("crash");
    await waitFor(() => log.filter((l) => l === "up b").length === 2, "b to be up again", 20_000);
    assert.deepEqual(log, ["init b", "up b", "stop b", "init b", "init b", "up b"]);
    const [b] = await sup.ask("which");
    assert.equal(b.restarts, 2);
    assert.equal(sup.stats().status, "running");
  });
});
