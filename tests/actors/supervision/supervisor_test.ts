import assert from "node:assert/strict";
import type { LocalActorRef } from "../../../actors/ref.ts";
import {
  type ActorSystem,
  childSpec,
  defineSupervisor,
  type SupervisorStrategy,
} from "../../../mod.ts";
import type { StrategyKind } from "../../../types.ts";
import { type TracedProtocol, tracedWorker } from "../../_helpers/traced.ts";
import { waitFor, withSystem, withVirtualSystem } from "../../_helpers/system.ts";
import { within } from "../../_helpers/deadline.ts";

/** A supervisor of three traced workers a, b, c, started in that order. */
function threeChildren(log: string[], strategy: SupervisorStrategy) {
  const Worker = tracedWorker(log);
  return defineSupervisor({
    type: "trio",
    strategy,
    children: ["a", "b", "c"].map((id) => childSpec(Worker, { id, name: id, args: id })),
  });
}

/** The live traced worker with this name (lookup checks only the type, so any traced definition does). */
function worker(system: ActorSystem, name: string): LocalActorRef<TracedProtocol> {
  const ref = system.lookup(name, tracedWorker([]));
  if (ref === undefined) throw new Error(`no live worker named ${name}`);
  return ref;
}

// As OTP orders them: the crashed child's cleanup runs as it crashes (its
// `terminate`), then the supervisor stops the others affected in reverse start
// order and starts them all again in start order.
const strategyCases: {
  kind: StrategyKind;
  restarted: string[];
}[] = [
  { kind: "one_for_one", restarted: ["stop b", "start b"] },
  {
    kind: "one_for_all",
    restarted: ["stop b", "stop c", "stop a", "start a", "start b", "start c"],
  },
  { kind: "rest_for_one", restarted: ["stop b", "stop c", "start b", "start c"] },
];

for (const { kind, restarted } of strategyCases) {
  Deno.test(`${kind}: when b of a, b, c fails, exactly ${restarted.join(", ")} happen, in that order`, async () => {
    const log: string[] = [];
    await withSystem(async (system) => {
      const sup = system.spawn(threeChildren(log, { kind, maxRestarts: 10 }));
      await waitFor(() => log.length === 3, "the three children to start");
      assert.deepEqual(log, ["start a", "start b", "start c"]);
      log.length = 0;
      worker(system, "b").tell("crash", "bad batch");
      await waitFor(() => log.length === restarted.length, "the restart");
      // The failure is in the supervisor's mailbox before this ask: once it is answered,
      // the whole restart has been handled, and each child has started before its ping.
      await sup.ask("which");
      for (const name of ["a", "b", "c"]) {
        assert.equal(await worker(system, name).ask("ping"), name);
      }
      assert.deepEqual(log, restarted);
    });
  });
}

Deno.test("a restarted child keeps its ref and its mailbox, and its state starts over from init", async () => {
  const log: string[] = [];
  await withSystem(async (system) => {
    await system.spawn(threeChildren(log, { kind: "one_for_one" })).ask("which");
    const b = worker(system, "b");
    b.tell("add", 5);
    assert.equal(await b.ask("count"), 5);
    b.tell("crash", "boom");
    b.tell("add", 2); // queued behind the failing message: handled by the new incarnation
    assert.equal(await b.ask("count"), 2);
    assert.equal(b.stats().restarts, 1);
    assert.equal(b.stats().status, "running");
    const [letter] = system.deadLetters.recent();
    assert.equal(letter.reason, "handler-failed");
    assert.equal(letter.payload, "boom");
  });
});

Deno.test("one_for_one with intensity 2 within 1000 ms: the third failure in the window escalates", async () => {
  const log: string[] = [];
  await withVirtualSystem(async (system, clock) => {
    const sup = system.spawn(
      threeChildren(log, { kind: "one_for_one", maxRestarts: 2, withinMs: 1_000 }),
    );
    await sup.ask("which"); // the children have started once the supervisor answers
    const b = worker(system, "b");
    for (let i = 1; i <= 2; i++) {
      b.tell("crash", `failure ${i}`);
      await b.ask("ping");
      await clock.advance(100);
    }
    assert.equal(b.stats().restarts, 2);
    b.tell("crash", "failure 3");
    const record = await system.whenStopped(sup);
    assert.equal(record?.kind, "escalated");
    assert.equal(record?.escalatedFrom, "b");
    assert.equal(record?.error?.name, "RestartIntensityError");
    assert.match(record?.error?.message ?? "", /more than 2 restarts within 1000 ms/);
    assert.equal(system.actorCount, 0, "the supervisor stopped its children and itself");
    assert.deepEqual(
      log.slice(-3),
      ["stop b", "stop c", "stop a"],
      "the crashed child cleans up as it crashes, then the others stop in reverse start order",
    );
  });
});

Deno.test("one_for_one with intensity 2 within 1000 ms: three failures spread over 3 s do not escalate", async () => {
  const log: string[] = [];
  await withVirtualSystem(async (system, clock) => {
    const sup = system.spawn(
      threeChildren(log, { kind: "one_for_one", maxRestarts: 2, withinMs: 1_000 }),
    );
    await sup.ask("which"); // the children have started once the supervisor answers
    const b = worker(system, "b");
    for (let i = 1; i <= 3; i++) {
      b.tell("crash", `failure ${i}`);
      assert.equal(await b.ask("ping"), "b");
      await clock.advance(1_000);
    }
    assert.equal(b.stats().restarts, 3);
    assert.equal(sup.stats().status, "running");
    assert.equal(system.deaths.last(sup), undefined);
  });
});

Deno.test("restart types: permanent is always restarted, transient only after a failure, temporary never", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "mixed",
    strategy: { kind: "one_for_one", maxRestarts: 10 },
    children: [
      childSpec(Worker, { id: "perm", name: "perm", args: "perm", restart: "permanent" }),
      childSpec(Worker, { id: "trans", name: "trans", args: "trans", restart: "transient" }),
      childSpec(Worker, { id: "temp", name: "temp", args: "temp", restart: "temporary" }),
    ],
  });
  await withSystem(async (system) => {
    const sup = system.spawn(Sup);
    await waitFor(() => log.length === 3, "the children to start");

    // A normal exit: only the permanent child comes back (as a new actor).
    const quitting = ["perm", "trans", "temp"].map((name) => worker(system, name));
    for (const ref of quitting) ref.tell("quit");
    await within(
      Promise.all(quitting.map((ref) => system.whenStopped(ref))),
      5_000,
      "the three children to stop",
    );
    // Their exits were queued to the supervisor as they stopped: it has handled all three
    // once it answers.
    await sup.ask("which");
    await waitFor(() => log.filter((l) => l === "start perm").length === 2, "perm to restart");
    assert.equal(
      log.filter((l) => l === "start trans").length,
      1,
      "transient: not after a normal exit",
    );
    assert.equal(log.filter((l) => l === "start temp").length, 1, "temporary: never");
    const ids = (await sup.ask("which")).map((c) => `${c.id}:${c.status}`);
    assert.deepEqual(ids, ["perm:running", "trans:stopped"], "the temporary child is forgotten");
  });

  const log2: string[] = [];
  const Worker2 = tracedWorker(log2);
  const Sup2 = defineSupervisor({
    type: "mixed",
    strategy: { kind: "one_for_one", maxRestarts: 10 },
    children: [
      childSpec(Worker2, { id: "trans", name: "trans", args: "trans", restart: "transient" }),
      childSpec(Worker2, { id: "temp", name: "temp", args: "temp", restart: "temporary" }),
    ],
  });
  await withSystem(async (system) => {
    const sup = system.spawn(Sup2);
    await waitFor(() => log2.length === 2, "the children to start");
    worker(system, "trans").tell("crash", "x");
    worker(system, "temp").tell("crash", "x");
    await waitFor(() => log2.includes("stop temp"), "temp to stop");
    // Both failures were queued to the supervisor before temp stopped: handled once it answers.
    assert.deepEqual((await sup.ask("which")).map((c) => c.id), ["trans"]);
    assert.equal(
      await worker(system, "trans").ask("ping"),
      "trans",
      "transient: restarted after a failure",
    );
    assert.equal(
      log2.filter((l) => l === "start temp").length,
      1,
      "temporary: not even after a failure",
    );
  });
});

Deno.test("nested supervisors three levels deep: escalation climbs exactly one level per exceeded intensity", async () => {
  const log: string[] = [];
  const Leaf = tracedWorker(log);
  const Mid = defineSupervisor({
    type: "mid",
    strategy: { kind: "one_for_one", maxRestarts: 1, withinMs: 10_000 },
    children: [childSpec(Leaf, { id: "leaf", name: "leaf", args: "leaf" })],
  });
  const Top = defineSupervisor({
    type: "top",
    strategy: { kind: "one_for_one", maxRestarts: 1, withinMs: 10_000 },
    children: [childSpec(Mid, { id: "mid", name: "mid" })],
  });
  await withVirtualSystem(async (system) => {
    const top = system.spawn(Top);
    const leafCrashesTwice = async () => {
      const leaf = system.lookup("leaf", Leaf)!;
      leaf.tell("crash", "first");
      await leaf.ask("ping");
      leaf.tell("crash", "second");
      await system.whenStopped(leaf);
    };
    await waitFor(() => log.length === 1, "the leaf to start");

    // First exceeded intensity (in mid): mid escalates, top restarts mid, top itself is untouched.
    await leafCrashesTwice();
    await waitFor(() => system.lookup("leaf") !== undefined, "a new leaf");
    const midRecords = system.deaths.find({ type: "mid" });
    assert.deepEqual(midRecords.map((r) => [r.kind, r.outcome, r.escalatedFrom]), [[
      "escalated",
      "restarted",
      "leaf",
    ]]);
    assert.equal(top.stats().status, "running");
    assert.equal(system.deaths.last(top), undefined);
    const which = await top.ask("which");
    assert.equal(which[0].restarts, 1);

    // Second exceeded intensity (in mid again): this time top exceeds its own, and escalates.
    await leafCrashesTwice();
    const topRecord = await system.whenStopped(top);
    assert.equal(topRecord?.kind, "escalated");
    assert.equal(topRecord?.escalatedFrom, "mid");
    assert.equal(system.actorCount, 0);
  });
});

Deno.test("backoff delays grow by the factor, are capped, and start over after a quiet period", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "backoff",
    strategy: {
      kind: "one_for_one",
      maxRestarts: 100,
      withinMs: 60_000,
      backoff: { minMs: 100, maxMs: 400, factor: 2, jitter: 0, resetAfterMs: 5_000 },
    },
    children: [childSpec(Worker, { id: "w", name: "w", args: "w" })],
  });
  await withVirtualSystem(async (system, clock) => {
    system.spawn(Sup);
    await waitFor(() => log.length === 1, "the worker to start");
    const delayOfNextRestart = async (): Promise<number> => {
      const starts = log.filter((l) => l === "start w").length;
      const w = system.lookup("w", Worker)!;
      w.tell("crash", "again");
      await waitFor(() => w.stats().status === "restarting", "the restart to begin");
      let waitedMs = 0;
      while (log.filter((l) => l === "start w").length === starts) {
        await clock.advance(10);
        waitedMs += 10;
        if (waitedMs > 10_000) throw new Error("no restart");
      }
      return waitedMs;
    };
    const delays = [];
    for (let i = 0; i < 5; i++) delays.push(await delayOfNextRestart());
    assert.deepEqual(delays, [100, 200, 400, 400, 400]);
    await clock.advance(5_000);
    assert.equal(await delayOfNextRestart(), 100, "a quiet period resets the backoff");
  });
});

Deno.test("while a restart waits out its backoff, the supervisor still answers and can be stopped", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "slow-restart",
    strategy: { kind: "one_for_one", backoff: { minMs: 60_000, maxMs: 60_000 } },
    children: [childSpec(Worker, { id: "w", name: "w", args: "w" })],
  });
  await withVirtualSystem(async (system) => {
    const sup = system.spawn(Sup);
    await waitFor(() => log.length === 1, "the worker to start");
    system.lookup("w", Worker)!.tell("crash", "x");
    await waitFor(() => log.length === 2, "the old incarnation to stop");
    assert.deepEqual((await sup.ask("which")).map((c) => c.status), ["restarting"]);
    await system.stop(sup, { timeoutMs: 10 });
    assert.equal(sup.stats().status, "stopped");
  });
});

Deno.test("a stop hook that hangs is cut off after shutdownTimeoutMs, and the record says so", async () => {
  const log: string[] = [];
  const Hangs = tracedWorker(log, { onStop: () => new Promise<void>(() => {}) });
  const Sup = defineSupervisor({
    type: "hang",
    children: [childSpec(Hangs, { id: "h", name: "h", args: "h", shutdownTimeoutMs: 300 })],
  });
  await withVirtualSystem(async (system, clock) => {
    const sup = system.spawn(Sup);
    await waitFor(() => log.length === 1, "the child to start");
    const h = system.lookup("h", Hangs)!;
    let done = false;
    const terminated = sup.ask("terminateChild", "h").then((found) => {
      done = true;
      return found;
    });
    await clock.advance(299);
    assert.equal(done, false, "still waiting for the hook");
    await clock.advance(1);
    assert.equal(await terminated, true);
    const record = system.deaths.last(h);
    assert.equal(record?.kind, "timeout");
    assert.equal(record?.forced, true);
    assert.equal(record?.outcome, "stopped");
  });
});

Deno.test("children get started by a function of the supervisor's spawn arguments", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Pool = defineSupervisor<{ size: number }>({
    type: "pool",
    children: ({ size }) =>
      Array.from({ length: size }, (_, i) => childSpec(Worker, { id: `w${i}`, args: `w${i}` })),
  });
  await withSystem(async (system) => {
    const pool = system.spawn(Pool, { args: { size: 4 } });
    assert.deepEqual((await pool.ask("which")).map((c) => c.id), ["w0", "w1", "w2", "w3"]);
  });
});

Deno.test("startChild adds a child; a duplicate id is refused without failing the supervisor", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({ type: "dyn", children: [] });
  await withSystem(async (system) => {
    const sup = system.spawn(Sup);
    const started = await sup.ask("startChild", childSpec(Worker, { id: "x", args: "x" }));
    assert.equal(started.ok, true);
    const again = await sup.ask("startChild", childSpec(Worker, { id: "x", args: "x2" }));
    assert.equal(again.ok, false);
    assert.equal(!again.ok && again.error.name, "DuplicateChildIdError");
    const bad = await sup.ask("startChild", { id: "y" } as never);
    assert.equal(!bad.ok && bad.error.name, "InvalidOptionError");
    assert.deepEqual((await sup.ask("which")).map((c) => c.id), ["x"]);
    assert.equal(await sup.ask("terminateChild", "x"), true);
    assert.equal(await sup.ask("terminateChild", "x"), false);
    assert.equal(sup.stats().status, "running");
  });
});

Deno.test("shutdown stops a supervision tree children-first, in reverse start order", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Inner = defineSupervisor({
    type: "inner",
    children: [
      childSpec(Worker, { id: "i1", args: "i1" }),
      childSpec(Worker, { id: "i2", args: "i2" }),
    ],
  });
  const Outer = defineSupervisor({
    type: "outer",
    children: [
      childSpec(Worker, { id: "o1", args: "o1" }),
      childSpec(Inner, { id: "inner" }),
      childSpec(Worker, { id: "o2", args: "o2" }),
    ],
  });
  await withSystem(async (system) => {
    await system.whenStarted(system.spawn(Outer));
    assert.deepEqual(log, ["start o1", "start i1", "start i2", "start o2"]);
    log.length = 0;
    await system.shutdown();
    assert.deepEqual(log, ["stop o2", "stop i2", "stop i1", "stop o1"]);
  });
});

Deno.test("a child restarted as a new actor keeps its place in the stop order: reverse start order, always", async () => {
  const log: string[] = [];
  await withSystem(async (system) => {
    const sup = system.spawn(threeChildren(log, { kind: "one_for_one", maxRestarts: 10 }));
    await system.whenStarted(sup);
    const oldA = worker(system, "a");
    await system.stop(oldA); // a permanent child that stops is restarted as a new actor
    await waitFor(() => log.filter((l) => l === "start a").length === 2, "a new a", 20_000);
    await sup.ask("which");
    assert.notEqual(worker(system, "a").id, oldA.id);
    log.length = 0;
    await system.stop(sup);
    assert.deepEqual(log, ["stop c", "stop b", "stop a"]);
  });
});
