/**
 * An entity's state in the store: one never stored is not claimed at its
 * first message (one store read, no write); its state is stored from its
 * first change, as a create that another activation's state fences.
 */

import assert from "node:assert/strict";
import { MemoryStore, StateConflictError, type StateStore } from "../../../mod.ts";
import { decodeState, encodeState, stateKey } from "../../../actors/persistence/persistence.ts";
import { waitFor, withSystem } from "../../_helpers/system.ts";
import { Ledger } from "../../_helpers/entity_defs.ts";

type LedgerState = { key: string; total: number; seen: number[]; activation: number };

/** A store that counts the reads and writes of state keys (`state.…`), passing everything through. */
function countingStateCalls(
  inner: MemoryStore,
): { store: StateStore; gets: () => number; puts: () => number } {
  let gets = 0;
  let puts = 0;
  const store = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const key = args[0];
        if (typeof key === "string" && key.startsWith("state.")) {
          if (property === "get") gets++;
          if (property === "put") puts++;
        }
        return value.apply(target, args);
      };
    },
  });
  return { store, gets: () => gets, puts: () => puts };
}

/** Stores a ledger's state as another activation of it would, over whatever is stored. */
async function storeRivalState(store: StateStore, key: string, total: number): Promise<void> {
  const stored = stateKey(`~ledger~${key}`);
  const rival: LedgerState = { key, total, seen: [], activation: 0 };
  await store.put(
    stored,
    encodeState(rival, { version: 1 }),
    (await store.get(stored))?.revision ?? 0,
  );
}

Deno.test("a never-stored entity's first message costs one state read and no write; its first change creates the state", async () => {
  const inner = new MemoryStore();
  const counted = countingStateCalls(inner);
  await withSystem(async (system) => {
    const ref = system.entity(Ledger, "fresh");
    assert.equal(await ref.ask("total"), 0);
    assert.equal(counted.gets(), 1);
    assert.equal(counted.puts(), 0);
    assert.equal(await inner.get(stateKey("~ledger~fresh")), undefined);

    assert.equal(await ref.ask("addAndGet", 5), 5);
    assert.equal(counted.puts(), 1);
    const stored = await inner.get(stateKey("~ledger~fresh"));
    assert.equal(stored?.revision, 1);
    const state = decodeState<LedgerState>(stored!.value, { version: 1 }, "~ledger~fresh").state;
    assert.equal(state.total, 5);
  }, { store: counted.store });
});

Deno.test("a never-stored entity whose state another activation stored meanwhile stops at its first change, and the next message goes on from the stored state", async () => {
  const store = new MemoryStore();
  await withSystem(async (system) => {
    const ref = system.entity(Ledger, "raced");
    assert.equal(await ref.ask("total"), 0);
    // Another activation (a host cut off with the shard, say) stores its state first.
    await storeRivalState(store, "raced", 100);

    await assert.rejects(ref.ask("addAndGet", 1), StateConflictError);
    // Sent while the fenced activation stops: it reaches the next one.
    assert.equal(await ref.ask("addAndGet", 1), 101);
    await waitFor(() => system.actorCount === 1, "one activation", 10_000);
  }, { store });
});

Deno.test("messages queued in a fenced activation's mailbox before it stops reach the next activation in order, none refused", async () => {
  const store = new MemoryStore();
  await withSystem(async (system) => {
    const ref = system.entity(Ledger, "queued");
    assert.equal(await ref.ask("total"), 0);
    await storeRivalState(store, "queued", 100);

    await assert.rejects(ref.ask("addAndGet", 1), StateConflictError);
    // Queued in the failed activation's mailbox before it stops.
    ref.tell("add", 10);
    const behind = [ref.ask("addAndGet", 2), ref.ask("addAndGet", 3)];
    assert.deepEqual(await Promise.all(behind), [112, 115]);
    assert.deepEqual(await ref.ask("seen"), [10, 2, 3]);
    const reasons = system.deadLetters.recent().map((letter) => letter.reason);
    assert.ok(!reasons.includes("actor-stopped"), `dead letters: ${reasons.join(", ")}`);
  }, { store });
});
