/**
 * A flood of tells to an actor another host does not have: the receiving
 * host handles it in slices (timers fire while it does), sends its refusals
 * back counted, and the sender ends with every lost tell counted in its dead
 * letters, in few records.
 */

import assert from "node:assert/strict";
import { type DeadLetter, defineActor, type Tell } from "../../mod.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import { ticksDuring } from "../_helpers/loop_ticks.ts";

const Idle = defineActor<{ poke: Tell<number> }, number>({
  type: "idle",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

const FLOOD = 200_000;

Deno.test("200,000 tells to a missing actor leave the loop free and are all counted on the sender", async () => {
  const cluster = await startMemoryCluster([{}, {}], { name: "flood" });
  try {
    const [sender, receiver] = cluster.hosts;
    const missing = sender.resolveRef(
      { $ref: `${receiver.hostId}/999999` as never, type: "idle" },
      Idle,
    );
    const lettersBefore = sender.deadLetters.total;
    const records: DeadLetter[] = [];
    const unsubscribe = sender.deadLetters.subscribe((letter) => {
      if (letter.target.id === missing.id) records.push(letter);
    });
    for (let i = 0; i < FLOOD; i++) missing.tell("poke", i);
    const seen = await ticksDuring(() =>
      waitFor(
        () => sender.deadLetters.total - lettersBefore >= FLOOD,
        "every tell's dead letter on the sender",
        120_000,
      )
    );
    assert.ok(seen.ticks >= 3, `${seen.ticks} ticks in ${seen.elapsedMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(sender.deadLetters.total - lettersBefore, FLOOD, "not one more, not one less");
    unsubscribe();
    assert.equal(records.reduce((sum, l) => sum + (l.count ?? 1), 0), FLOOD);
    assert.ok(records.every((l) => l.reason === "unknown-actor" && l.messageName === "poke"));
    assert.ok(records.length < FLOOD / 100, `${records.length} records for ${FLOOD} tells`);
    assert.equal(records[0].payload, 0, "the first record carries the first tell's body");
    assert.ok(records.some((l) => (l.count ?? 1) > 1), "refusals came back counted");
    assert.equal(
      receiver.deadLetters.recent().filter((l) => l.target.id === missing.id).length,
      0,
      "the receiving host records none",
    );
  } finally {
    await cluster.shutdown();
  }
});
