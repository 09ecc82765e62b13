import assert from "node:assert/strict";
import { ActorSystem, type ActorSystemOptions, MemoryStore } from "../../../mod.ts";
import { persisterRequested } from "../../../actors/persistence/loader.ts";
import { PCounter } from "../../_helpers/persistent.ts";
import { Counter } from "../../_helpers/actors.ts";

// The order of these tests matters: the persistence code, once asked for, stays loaded in this process.

const quiet: ActorSystemOptions = { logFailures: false, deadLetters: { logPerSecond: 0 } };

Deno.test("a system without a store and without persistent actors never loads the persistence code", async () => {
  const system = await ActorSystem.start(quiet);
  try {
    const counter = system.spawn(Counter);
    counter.tell("add", 2);
    assert.equal(await counter.ask("get"), 2);
    assert.equal(persisterRequested(), false);
  } finally {
    await system.shutdown();
  }
});

Deno.test("a system given a store loads the persistence code as it starts, before any persistent actor", async () => {
  const store = new MemoryStore();
  const system = await ActorSystem.start({ ...quiet, store });
  try {
    assert.equal(persisterRequested(), true);
    assert.equal(await system.spawn(PCounter, { name: "loaded" }).ask("addAndGet", 3), 3);
  } finally {
    await system.shutdown();
  }
});
