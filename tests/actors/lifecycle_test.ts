import assert from "node:assert/strict";
import {
  type ActorDefinition,
  ActorSystem,
  ActorTypeMismatchError,
  type Ask,
  defineActor,
  DuplicateNameError,
  InvalidOptionError,
  SystemStoppedError,
  type Tell,
} from "../../mod.ts";
import { Counter, Recorder } from "../_helpers/actors.ts";
import { withSystem, withVirtualSystem } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";

type TracedProtocol = { spawnChild: Ask<string, string>; ping: Ask<void, string> };

/** An actor that logs its lifecycle into a shared array and can spawn children. */
function tracedType(log: string[]): ActorDefinition<TracedProtocol, string, string> {
  // A definition that spawns its own type needs the annotation (TypeScript cannot infer a cycle).
  const Traced: ActorDefinition<TracedProtocol, string, string> = defineActor<
    TracedProtocol,
    string,
    string
  >({
    type: "traced",
    init: (label) => {
      log.push(`init ${label}`);
      return label;
    },
    onStart: (label) => {
      log.push(`start ${label}`);
    },
    onStop: (label) => {
      log.push(`stop ${label}`);
    },
    asks: {
      spawnChild: (label, childLabel, ctx) => {
        const child = ctx.spawn(Traced, { args: childLabel, name: childLabel });
        return { state: label, reply: child.id };
      },
      ping: (label) => ({ state: label, reply: label }),
    },
  });
  return Traced;
}

Deno.test("init runs before onStart, and both before the first message", async () => {
  const log: string[] = [];
  const Traced = tracedType(log);
  await withSystem(async (system) => {
    const a = system.spawn(Traced, { args: "a" });
    assert.deepEqual(log, [], "start happens after the synchronous spawn");
    assert.equal(await a.ask("ping"), "a");
    assert.deepEqual(log, ["init a", "start a"]);
  });
});

Deno.test("an async init is awaited and messages sent meanwhile wait for it", async () => {
  const Lazy = defineActor<{ get: Ask<void, string> }, string>({
    type: "lazy",
    init: async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return "ready";
    },
    asks: { get: (s) => ({ state: s, reply: s }) },
  });
  await withSystem(async (system) => {
    assert.equal(await system.spawn(Lazy).ask("get"), "ready");
  });
});

Deno.test("a duplicate name is refused with DuplicateNameError while the first lives", async () => {
  await withSystem(async (system) => {
    const first = system.spawn(Counter, { name: "unique" });
    assert.throws(
      () => system.spawn(Counter, { name: "unique" }),
      (err: unknown) => err instanceof DuplicateNameError && err.existingId === first.id,
    );
    await system.stop(first);
    const second = system.spawn(Counter, { name: "unique" });
    assert.ok(!second.equals(first), "the name is free again after the stop");
  });
});

Deno.test("lookup finds live actors by name, typed by their definition", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter, { name: "c1" });
    const found = system.lookup("c1", Counter);
    assert.ok(found?.equals(counter));
    found!.tell("add", 3);
    assert.equal(await counter.ask("get"), 3);
    assert.equal(system.lookup("nobody"), undefined);
    assert.throws(() => system.lookup("c1", Recorder), ActorTypeMismatchError);
    await system.stop(counter);
    assert.equal(system.lookup("c1"), undefined);
  });
});

Deno.test("stop runs onStop, and messages left in the mailbox become dead letters", async () => {
  const log: string[] = [];
  const Traced = tracedType(log);
  await withSystem(async (system) => {
    const a = system.spawn(Traced, { args: "a" });
    await a.ask("ping");
    await system.stop(a);
    assert.deepEqual(log, ["init a", "start a", "stop a"]);
    assert.equal(a.stats().status, "stopped");
    assert.equal(system.actorCount, 0);
  });
});

Deno.test("shutdown stops children before parents and top-level actors in reverse spawn order", async () => {
  const log: string[] = [];
  const Traced = tracedType(log);
  const system = await ActorSystem.start({ deadLetters: { logPerSecond: 0 } });
  const a = system.spawn(Traced, { args: "a" });
  const b = system.spawn(Traced, { args: "b" });
  await a.ask("spawnChild", "a1");
  await a.ask("spawnChild", "a2");
  await b.ask("spawnChild", "b1");
  const b1 = system.lookup("b1", Traced)!;
  await b1.ask("spawnChild", "b1x");
  log.length = 0;
  await system.shutdown();
  assert.deepEqual(log, ["stop b1x", "stop b1", "stop b", "stop a2", "stop a1", "stop a"]);
  assert.equal(system.status, "shut-down");
  assert.equal(system.actorCount, 0);
});

Deno.test("shutdown waits for an in-flight async turn to finish", async () => {
  const finished: number[] = [];
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => started = resolve);
  const Worker = defineActor<{ work: Tell<number> }, null>({
    type: "worker",
    init: () => null,
    tells: {
      work: async (state, n) => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished.push(n);
        return state;
      },
    },
  });
  const system = await ActorSystem.start({ deadLetters: { logPerSecond: 0 } });
  const worker = system.spawn(Worker);
  worker.tell("work", 1);
  worker.tell("work", 2);
  await inFlight; // the turn of 1 has begun and is waiting on its timer
  await system.shutdown({ timeoutMs: 5_000 });
  assert.deepEqual(finished, [1], "the running turn finished; the queued one did not start");
  const letters = system.deadLetters.recent();
  assert.equal(letters.length, 1);
  assert.equal(letters[0].reason, "actor-stopped");
  assert.equal(letters[0].payload, 2);
});

Deno.test("shutdown cuts off a turn that outlives the timeout", async () => {
  const Stuck = defineActor<{ hang: Tell; get: Ask<void, number> }, number>({
    type: "stuck",
    init: () => 0,
    tells: { hang: () => new Promise<number>(() => {}) },
    asks: { get: (n) => ({ state: n, reply: n }) },
  });
  await withVirtualSystem(async (system, clock) => {
    const stuck = system.spawn(Stuck);
    stuck.tell("hang");
    const pending = stuck.ask("get", undefined, { timeoutMs: 60_000 }).catch((e) => e);
    await clock.advance(1);
    let done = false;
    const shutdown = system.shutdown({ timeoutMs: 500 }).then(() => done = true);
    await clock.advance(499);
    assert.equal(done, false);
    await clock.advance(1);
    await within(shutdown, 1_000, "the shutdown at its timeout");
    assert.equal(done, true);
    assert.equal((await pending).name, "ActorStoppedError");
    const reasons = system.deadLetters.recent().map((l) => `${l.reason}:${l.messageName}`);
    assert.deepEqual(reasons, ["actor-stopped:hang", "actor-stopped:get"]);
  });
});

Deno.test("spawning on a shut-down system fails with SystemStoppedError", async () => {
  const system = await ActorSystem.start();
  await system.shutdown();
  assert.throws(() => system.spawn(Counter), SystemStoppedError);
  await system.shutdown(); // a second shutdown is harmless
});

Deno.test("an actor can stop itself after its current message", async () => {
  const Once = defineActor<{ go: Tell<number> }, number>({
    type: "once",
    init: () => 0,
    tells: {
      go: (n, by, ctx) => {
        ctx.stopSelf();
        return n + by;
      },
    },
  });
  await withSystem(async (system) => {
    const once = system.spawn(Once);
    once.tell("go", 1);
    once.tell("go", 2);
    await within(system.whenStopped(once), 1_000, "the actor to stop itself");
    assert.equal(once.stats().status, "stopped");
    assert.equal(once.stats().handled, 1);
    const letters = system.deadLetters.recent();
    assert.deepEqual(letters.map((l) => [l.reason, l.payload]), [["actor-stopped", 2]]);
  });
});

Deno.test("a parent stops a child through its context, and children count in stats", async () => {
  type ParentProtocol = { make: Ask<void, number>; drop: Ask<void, number> };
  const Parent = defineActor<ParentProtocol, import("../../mod.ts").BaseRef[]>({
    type: "parent",
    init: () => [],
    asks: {
      make: (kids, _, ctx) => {
        const next = [...kids, ctx.spawn(Counter)];
        return { state: next, reply: next.length };
      },
      drop: async (kids, _, ctx) => {
        await ctx.stop(kids[0]);
        return { state: kids.slice(1), reply: kids.length - 1 };
      },
    },
  });
  await withSystem(async (system) => {
    const parent = system.spawn(Parent);
    await parent.ask("make");
    await parent.ask("make");
    assert.equal(parent.stats().children, 2);
    assert.equal(await parent.ask("drop"), 1);
    assert.equal(parent.stats().children, 1);
    assert.equal(system.actorCount, 2);
  });
});

Deno.test("spawn with existing 'reuse' returns the live actor of that name and type, so a re-run cell adds nothing", async () => {
  await withSystem(async (system) => {
    const first = system.spawn(Counter, { name: "jobs" });
    first.tell("add", 5);
    const again = system.spawn(Counter, { name: "jobs", existing: "reuse" });
    assert.ok(again.equals(first));
    assert.equal(await again.ask("get"), 5, "the same actor, state kept");
    assert.equal(system.actorCount, 1);
    assert.throws(() => system.spawn(Counter, { name: "jobs" }), DuplicateNameError);
    assert.throws(
      () => system.spawn(Recorder, { name: "jobs", existing: "reuse" }),
      DuplicateNameError,
      "another type under that name is still an error",
    );
    assert.throws(
      () => system.spawn(Counter, { name: "x", existing: "renew" as "reuse" }),
      InvalidOptionError,
    );
  });
});

Deno.test("spawn with existing 'replace' stops the live actor of that name and starts a fresh one after its onStop", async () => {
  await withSystem(async (system) => {
    const events: string[] = [];
    const Slow = defineActor<{ get: Ask<void, string> }, string, string>({
      type: "slow-stopper",
      init: (label) => {
        events.push(`start ${label}`);
        return label;
      },
      asks: { get: (label) => ({ state: label, reply: label }) },
      onStop: async (label) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push(`stopped ${label}`);
      },
    });
    const first = system.spawn(Slow, { name: "jobs", args: "v1" });
    assert.equal(await first.ask("get"), "v1");
    const second = system.spawn(Slow, { name: "jobs", args: "v2", existing: "replace" });
    assert.ok(!second.equals(first));
    assert.equal(await second.ask("get"), "v2", "messages sent at once wait for its start");
    assert.deepEqual(events, ["start v1", "stopped v1", "start v2"]);
    assert.equal(system.lookup("jobs")?.id, second.id);
    assert.equal(system.deaths.last(first)?.kind, "stopped");
    const other = system.spawn(Counter, { name: "jobs", existing: "replace" });
    assert.equal(await other.ask("get"), 0, "another type may replace it too");
    assert.equal(system.actorCount, 1);
  });
});
