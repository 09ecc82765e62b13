/**
 * Entities in one process: addressed by key, activated by their first
 * message with their state loaded first, passivated when idle with their
 * state saved, held to the host's cap, and nothing lost while they move.
 */

import assert from "node:assert/strict";
import { type Ask, InvalidNameError, InvalidOptionError, MemoryStore } from "../../../mod.ts";
import { defineActor } from "../../../mod.ts";
import { waitFor, withSystem } from "../../_helpers/system.ts";
import { Ledger, SlowStop, Tally, tallyActivations } from "../../_helpers/entity_defs.ts";

Deno.test("an entity ref works before the entity exists: the first message activates it", async () => {
  await withSystem(async (system) => {
    const ref = system.entity(Ledger, "first");
    assert.equal(ref.id, "~ledger~first");
    assert.equal(system.actorCount, 0);
    ref.tell("add", 2);
    assert.equal(await ref.ask("addAndGet", 3), 5);
    assert.equal(system.actorCount, 1);
    assert.equal(await system.entity(Ledger, "first").ask("total"), 5);
  }, { store: new MemoryStore() });
});

Deno.test("an entity's stored state loads before its first message", async () => {
  const store = new MemoryStore();
  await withSystem(async (system) => {
    assert.equal(await system.entity(Ledger, "kept").ask("addAndGet", 40), 40);
  }, { store });
  await withSystem(async (system) => {
    assert.equal(await system.entity(Ledger, "kept").ask("addAndGet", 2), 42);
  }, { store });
});

Deno.test("an idle entity passivates with its state saved, and the next message activates it again", async () => {
  await withSystem(async (system) => {
    const ref = system.entity(Tally, "idle");
    assert.equal(await ref.ask("addAndGet", 7), 7);
    const before = tallyActivations();
    await waitFor(() => system.actorCount === 0, "the idle entity to passivate", 10_000);
    assert.equal(await ref.ask("addAndGet", 1), 8);
    assert.equal(tallyActivations(), before + 1);
  }, { store: new MemoryStore() });
});

Deno.test("a host holds at most its cap of entities: the least recently used passivates first", async () => {
  await withSystem(async (system) => {
    for (const key of ["a", "b", "c"]) {
      await system.entity(Ledger, `cap-${key}`).ask("addAndGet", 1);
    }
    await system.entity(Ledger, "cap-a").ask("total");
    await system.entity(Ledger, "cap-d").ask("addAndGet", 1);
    await waitFor(() => system.actorCount === 3, "the cap to hold", 10_000);
    assert.equal((await system.entity(Ledger, "cap-b").stats()).status, "remote");
    assert.equal((await system.entity(Ledger, "cap-a").stats()).status, "running");
    // The evicted entity kept its state.
    assert.equal(await system.entity(Ledger, "cap-b").ask("addAndGet", 1), 2);
  }, { store: new MemoryStore(), maxResidentEntities: 3 });
});

Deno.test("messages sent while an entity passivates wait and arrive in order at its next activation", async () => {
  await withSystem(async (system) => {
    const ref = system.entity(SlowStop, "moving");
    ref.tell("add", 1);
    assert.deepEqual(await ref.ask("seen"), [1]);
    // Its stop takes 150 ms: everything sent meanwhile is held, then handled in order.
    await waitFor(
      async () => (await ref.stats()).status === "stopping",
      "the passivation to begin",
      10_000,
    );
    for (let n = 2; n <= 50; n++) ref.tell("add", n);
    assert.deepEqual(await ref.ask("seen"), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.equal(system.deadLetters.recent().length, 0);
  }, { store: new MemoryStore() });
});

Deno.test("a bad key or a definition that is not an entity type is refused with a typed error", async () => {
  await withSystem((system) => {
    for (const key of ["", "a.b", "a b", "x~y", "k/1", "*", "k".repeat(200)]) {
      assert.throws(() => system.entity(Tally, key), (err) => {
        assert.ok(err instanceof InvalidNameError);
        assert.equal(err.code, "invalid_name");
        assert.equal(err.field, "key");
        return true;
      });
    }
    const Plain = defineActor({ type: "plain-not-entity", init: () => null });
    assert.throws(() => system.entity(Plain, "k"), InvalidOptionError);
    assert.throws(
      () => defineActor({ type: "bad-entity", init: () => null, entity: { idleMs: -1 } }),
      InvalidOptionError,
    );
  });
});

Deno.test("inspection counts a host's resident entities, activations and passivations", async () => {
  await withSystem(async (system) => {
    for (const key of ["a", "b", "c"]) await system.entity(Ledger, `seen-${key}`).ask("total");
    await system.entity(Ledger, "seen-d").ask("total");
    await waitFor(() => system.actorCount === 3, "the least recently used to passivate", 10_000);
    const { hosts } = await system.inspect();
    assert.deepEqual(hosts[0].entities, {
      resident: 3,
      activations: 4,
      passivations: 1,
      evictions: 1,
      moves: 0,
    });
    assert.match(Deno.inspect(system), /3 \(\+4 -1\)/);
  }, { store: new MemoryStore(), maxResidentEntities: 3 });
});

let failedStarts = 0;
const FailsToStart = defineActor<{ ping: Ask<void, string> }, null, string>({
  type: "fails-to-start",
  entity: { idleMs: Infinity },
  init: () => {
    failedStarts++;
    throw new Error("no GPU here");
  },
  asks: { ping: (s) => ({ state: s, reply: "pong" }) },
});

Deno.test("an entity that fails to start refuses what was queued for it, once, and is not started again for it", async () => {
  await withSystem(async (system) => {
    failedStarts = 0;
    const ref = system.entity(FailsToStart, "k");
    const asks = [ref.ask("ping"), ref.ask("ping"), ref.ask("ping")];
    const outcomes = await Promise.allSettled(asks);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, "rejected");
      assert.match(String((outcome as PromiseRejectedResult).reason), /no GPU here/);
    }
    assert.equal(failedStarts, 1);
  }, { logFailures: false });
});
