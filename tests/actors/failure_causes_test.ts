/**
 * What a caller learns when its message was not handled: the handler's
 * error in `ActorFailedError`, why the actor stopped in `ActorStoppedError`,
 * the `StateEncodeError` of a state that cannot be stored; and a failure
 * the caller receives is not also written to the log.
 */

import assert from "node:assert/strict";
import {
  ActorFailedError,
  ActorStoppedError,
  type Ask,
  childSpec,
  defineActor,
  defineSupervisor,
  MemoryStore,
  StateEncodeError,
  type Tell,
} from "../../mod.ts";
import type { LogRecord } from "../../types.ts";
import { Counter } from "../_helpers/actors.ts";
import { withSystem } from "../_helpers/system.ts";

/** A counter whose `add` has a bug, and whose `crash` fails with "disk full". */
const Buggy = defineActor<
  { add: Ask<number, number>; crash: Tell; get: Ask<void, number> },
  number
>({
  type: "buggy",
  init: () => 0,
  tells: {
    crash: () => {
      throw new Error("disk full");
    },
  },
  asks: {
    add: (count, n) => {
      const x = undefined as unknown as () => void;
      x();
      return { state: count + n, reply: count + n };
    },
    get: (count) => ({ state: count, reply: count }),
  },
});

/** A persistent actor whose state starts with a `Map`, which the state codec refuses. */
const WithMap = defineActor<{ size: Ask<void, number> }, { seen: Map<string, number> }>({
  type: "with-map",
  init: () => ({ seen: new Map() }),
  persistence: { version: 1 },
  asks: { size: (s) => ({ state: s, reply: s.seen.size }) },
});

/** A persistent actor whose `remember` turn puts a `Map` into its state. */
const TurnsMap = defineActor<{ remember: Ask<string, number> }, { seen: unknown }>({
  type: "turns-map",
  init: () => ({ seen: {} }),
  persistence: { version: 1 },
  asks: { remember: (_, key) => ({ state: { seen: new Map([[key, 1]]) }, reply: 1 }) },
});

function captureLog(): { records: LogRecord[]; sink: (r: LogRecord) => void } {
  const records: LogRecord[] = [];
  return { records, sink: (r) => void records.push(r) };
}

Deno.test("ActorFailedError names what the handler threw, and keeps it as its cause", async () => {
  await withSystem(async (system) => {
    const buggy = system.spawn(Buggy, { name: "buggy" });
    const err = await buggy.ask("add", 1).catch((e) => e);
    assert.ok(ActorFailedError.is(err));
    assert.match(
      err.message,
      /^actor \S+ failed while handling 'add': TypeError: .*is not a function$/,
    );
    assert.ok(err.cause instanceof TypeError);
  });
});

Deno.test("an ask to an actor that stopped after a failure says what it failed with", async () => {
  await withSystem(async (system) => {
    const buggy = system.spawn(Buggy, { name: "buggy" });
    buggy.tell("crash");
    await system.whenStopped(buggy);
    const err = await buggy.ask("get").catch((e) => e);
    assert.ok(ActorStoppedError.is(err));
    assert.match(
      err.message,
      /is stopped: failed while handling 'crash': Error: disk full; 'get' was not handled/,
    );
    assert.equal(err.why, "failed while handling 'crash': Error: disk full");
    assert.equal(err.cause, undefined, "not chained: it is not what 'get' threw");
  });
});

Deno.test("an ask queued when its actor failed says what it failed with", async () => {
  await withSystem(async (system) => {
    const buggy = system.spawn(Buggy, { name: "buggy" });
    buggy.tell("crash");
    const err = await buggy.ask("get").catch((e) => e);
    assert.ok(ActorStoppedError.is(err));
    assert.match(err.message, /is stopped: failed while handling 'crash': Error: disk full/);
  });
});

Deno.test("an ask to an actor stopped by the program or by its supervisor says so", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    await system.stop(counter);
    const stopped = await counter.ask("get").catch((e) => e);
    assert.match(stopped.message, /is stopped: stopped normally; 'get' was not handled/);

    const Sup = defineSupervisor({
      type: "sup",
      children: [childSpec(Counter, { id: "c", name: "sup-c" })],
    });
    const sup = system.spawn(Sup);
    await sup.ask("which");
    const child = system.lookup("sup-c", Counter)!;
    await sup.ask("terminateChild", "c");
    const byParent = await child.ask("get").catch((e) => e);
    assert.match(byParent.message, /is stopped: stopped by its supervisor;/);
  });
});

Deno.test("an ask whose actor's state cannot be stored fails with that StateEncodeError", async () => {
  await withSystem(async (system) => {
    const atStart = system.spawn(WithMap, { name: "map" });
    const first = await atStart.ask("size").catch((e) => e);
    assert.ok(StateEncodeError.is(first), `got ${first}`);
    assert.match(first.message, /a Map .* at state\.seen/);

    const inTurn = system.spawn(TurnsMap, { name: "turns" });
    const second = await inTurn.ask("remember", "k").catch((e) => e);
    assert.ok(StateEncodeError.is(second), `got ${second}`);
  }, { store: new MemoryStore() });
});

Deno.test("a failure the asker receives is recorded but not logged", async () => {
  const { records, sink } = captureLog();
  await withSystem(async (system) => {
    const buggy = system.spawn(Buggy, { name: "buggy" });
    await buggy.ask("add", 1).catch(() => {});
    await buggy.ask("get").catch(() => {});
    assert.deepEqual(
      system.deadLetters.recent().map((l) => l.reason),
      ["handler-failed", "actor-stopped"],
      "both are still dead letters",
    );
    assert.equal(system.deaths.last(buggy)?.error?.name, "TypeError", "and the death is recorded");
    assert.deepEqual(records.map((r) => r.text), [], "nothing logged: the asker got both");
  }, { log: { sink }, logFailures: true, deadLetters: { logPerSecond: 10 } });
});

Deno.test("a tell's failure that nobody receives is logged once", async () => {
  const { records, sink } = captureLog();
  await withSystem(async (system) => {
    const alone = system.spawn(Buggy, { name: "alone" });
    alone.tell("crash");
    await system.whenStopped(alone);
    assert.deepEqual(records.map((r) => r.level), ["error"], "one line, not a dead letter too");
    assert.match(records[0].text, /alone .* failed while handling 'crash': Error: disk full/);
    assert.equal(system.deadLetters.recent()[0]?.reason, "handler-failed", "still recorded");

    records.length = 0;
    const Sup = defineSupervisor({
      type: "sup",
      children: [childSpec(Buggy, { id: "b", name: "supervised" })],
    });
    const sup = system.spawn(Sup);
    await sup.ask("which");
    system.lookup("supervised", Buggy)!.tell("crash");
    const restarted = Promise.withResolvers<void>();
    const unsubscribe = system.deaths.subscribe((d) => {
      if (d.actor.name === "supervised") restarted.resolve();
    });
    await restarted.promise;
    unsubscribe();
    assert.deepEqual(records.map((r) => r.level), ["warn"], "its dead letter, once");
    assert.match(records[0].text, /handler-failed: tell 'crash' to supervised/);
  }, { log: { sink }, logFailures: true, deadLetters: { logPerSecond: 10 } });
});
