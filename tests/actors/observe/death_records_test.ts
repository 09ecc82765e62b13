import assert from "node:assert/strict";
import { ActorSystem, childSpec, defineSupervisor } from "../../../mod.ts";
import { DeathRecords } from "../../../actors/observe/death_records.ts";
import { Counter } from "../../_helpers/actors.ts";
import { tracedWorker } from "../../_helpers/traced.ts";
import { waitFor, withSystem, withVirtualSystem } from "../../_helpers/system.ts";

Deno.test("the death record of a crash names the error, its stack and the message that caused it", async () => {
  await withVirtualSystem(async (system, clock) => {
    const counter = system.spawn(Counter, { name: "c" });
    counter.tell("add", 1);
    counter.tell("fail", "corrupt shard 17");
    const record = await system.whenStopped(counter);
    assert.ok(record);
    assert.deepEqual(record.actor, { id: counter.id, name: "c", type: "counter" });
    assert.equal(record.parent, undefined);
    assert.equal(record.hostId, system.hostId);
    assert.equal(record.kind, "error");
    assert.equal(record.messageName, "fail");
    assert.equal(record.error?.name, "Error");
    assert.equal(record.error?.message, "corrupt shard 17");
    assert.match(record.error?.stack ?? "", /corrupt shard 17[\s\S]*at /);
    assert.equal(record.outcome, "stopped");
    assert.equal(record.restartCount, 0);
    assert.equal(record.forced, false);
    assert.equal(record.timestampMs, clock.now());
    assert.deepEqual(system.deaths.last(counter), record);
  });
});

Deno.test("every stop leaves a record: stopped, shutdown, and restarts with their count", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "sup",
    children: [childSpec(Worker, { id: "w", name: "w", args: "w" })],
  });
  const system = await ActorSystem.start({ logFailures: false, deadLetters: { logPerSecond: 0 } });
  const stopped = system.spawn(Counter);
  await system.stop(stopped);
  const sup = system.spawn(Sup);
  await sup.ask("which");
  const w = system.lookup("w", Worker)!;
  w.tell("crash", "one");
  await w.ask("ping");
  w.tell("crash", "two");
  await w.ask("ping");
  await system.shutdown();

  assert.equal(system.deaths.last(stopped)?.kind, "stopped");
  const history = system.deaths.of(w).map((
    r,
  ) => [r.kind, r.outcome, r.restartCount, r.error?.message]);
  assert.deepEqual(history, [
    ["error", "restarted", 0, "one"],
    ["error", "restarted", 1, "two"],
    ["shutdown", "stopped", 2, undefined],
  ]);
  assert.equal(system.deaths.of(w)[0].parent?.id, sup.id);
  assert.equal(system.deaths.last(sup)?.kind, "shutdown");
});

Deno.test("find filters records by type, kind, name and parent", async () => {
  await withSystem(async (system) => {
    const a = system.spawn(Counter, { name: "a" });
    const b = system.spawn(Counter, { name: "b" });
    a.tell("fail", "x");
    await system.whenStopped(a);
    await system.stop(b);
    assert.deepEqual(system.deaths.find({ kind: "error" }).map((r) => r.actor.name), ["a"]);
    assert.deepEqual(system.deaths.find({ type: "counter" }).map((r) => r.actor.name), ["a", "b"]);
    assert.deepEqual(system.deaths.find({ name: "b" }).map((r) => r.kind), ["stopped"]);
    assert.equal(system.deaths.find({ parentId: "nobody" }).length, 0);
    assert.equal(system.deaths.total, 2);
  });
});

Deno.test("records are bounded: the last N per actor, and a limited number of actors", () => {
  const store = new DeathRecords({ perActor: 2, actors: 3 });
  const record = (id: string, n: number) => ({
    actor: { id, type: "t" },
    parent: undefined,
    hostId: "h",
    kind: "stopped" as const,
    error: undefined,
    messageName: undefined,
    escalatedFrom: undefined,
    restartCount: n,
    outcome: "restarted" as const,
    forced: false,
    stopHookError: undefined,
    timestampMs: n,
  });
  for (let n = 0; n < 5; n++) store.add(record("x", n));
  assert.deepEqual(store.of("x").map((r) => r.restartCount), [3, 4]);
  for (const id of ["a", "b", "c"]) store.add(record(id, 10));
  assert.deepEqual(store.of("x"), [], "the actor whose newest record is oldest was forgotten");
  assert.equal(store.of("c").length, 1);
  assert.equal(store.total, 8);
});

Deno.test("a stop hook that throws is recorded in the death record", async () => {
  const log: string[] = [];
  const Throws = tracedWorker(log, {
    onStop: () => Promise.reject(new Error("could not flush")),
  });
  await withSystem(async (system) => {
    const w = system.spawn(Throws, { args: "w" });
    await w.ask("ping");
    await system.stop(w);
    const record = system.deaths.last(w);
    assert.equal(record?.kind, "stopped");
    assert.equal(record?.stopHookError?.message, "could not flush");
  });
});

Deno.test("subscribers hear every record as it is written", async () => {
  await withSystem(async (system) => {
    const heard: string[] = [];
    const stop = system.deaths.subscribe((r) => heard.push(`${r.actor.name}:${r.kind}`));
    await system.stop(system.spawn(Counter, { name: "one" }));
    stop();
    await system.stop(system.spawn(Counter, { name: "two" }));
    assert.deepEqual(heard, ["one:stopped"]);
  });
});

Deno.test("topLevelFailure 'shutdown' shuts the whole system down after a top-level failure", async () => {
  const system = await ActorSystem.start({
    topLevelFailure: "shutdown",
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
  });
  const bystander = system.spawn(Counter);
  const fragile = system.spawn(Counter);
  fragile.tell("fail", "fatal");
  await waitFor(() => system.status === "shut-down", "the system to shut down");
  assert.equal(bystander.stats().status, "stopped");
  assert.equal(system.deaths.last(fragile)?.kind, "error");
  assert.equal(system.deaths.last(bystander)?.kind, "shutdown");
});

Deno.test("topLevelFailure 'keep-running' (the default) stops only the failed actor and logs it", async () => {
  const lines: string[] = [];
  const originalError = console.error;
  console.error = (line: string) => lines.push(line);
  try {
    await withSystem(async (system) => {
      const bystander = system.spawn(Counter);
      const fragile = system.spawn(Counter, { name: "fragile" });
      fragile.tell("fail", "fatal");
      await system.whenStopped(fragile);
      assert.equal(system.status, "running");
      assert.equal(await bystander.ask("get"), 0);
    }, { logFailures: true });
  } finally {
    console.error = originalError;
  }
  assert.equal(lines.length, 1);
  assert.match(lines[0], /counter fragile \(\S+\) failed while handling 'fail': Error: fatal/);
});

Deno.test("topLevelFailure rejects unknown values", async () => {
  await assert.rejects(
    ActorSystem.start({ topLevelFailure: "panic" as never }),
    (err: Error) => err.name === "InvalidOptionError",
  );
});
