import assert from "node:assert/strict";
import { MemoryStore } from "../../../mod.ts";
import { persisterRequested } from "../../../actors/persistence/loader.ts";
import { PCounter } from "../../_helpers/persistent.ts";
import { Counter } from "../../_helpers/actors.ts";
import { withSystem } from "../../_helpers/system.ts";

// The order of these tests matters: the persistence code, once asked for, stays loaded in this process.

Deno.test("a system without a store and without persistent actors never loads the persistence code", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    counter.tell("add", 2);
    assert.equal(await counter.ask("get"), 2);
    assert.equal(persisterRequested(), false);
  });
});

Deno.test("a system given a store loads the persistence code as it starts, before any persistent actor", async () => {
  await withSystem(async (system) => {
    assert.equal(persisterRequested(), true);
    assert.equal(await system.spawn(PCounter, { name: "loaded" }).ask("addAndGet", 3), 3);
  }, { store: new MemoryStore() });
});
