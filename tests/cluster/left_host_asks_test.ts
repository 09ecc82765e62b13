/**
 * A host that leaves gracefully still answers the asks that reached it
 * before its goodbye: its sender keeps them waiting for a while after it
 * hears the goodbye (`LEFT_HOST_ANSWERS_MS`), rather than failing them at
 * once and taking the late answer for a dead letter.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor } from "../../mod.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { waitFor } from "../_helpers/system.ts";

/** Released by the test: the actor's turn waits for it. */
const gate = Promise.withResolvers<void>();
/** Resolved when the turn has begun. */
const started = Promise.withResolvers<void>();

const Late = defineActor<{ work: Ask<number, number> }, number>({
  type: "late-answerer",
  init: () => 0,
  asks: {
    work: async (n, x) => {
      started.resolve();
      await gate.promise;
      return { state: n + 1, reply: x * 2 };
    },
  },
});

Deno.test("an ask to a host that leaves while handling it gets the answer sent after the goodbye", async () => {
  const { hosts: [asker, leaving], shutdown } = await startMemoryCluster([{}, {}], {
    name: "leave-asks",
  });
  try {
    const ref = await asker.spawn(Late, { placement: { kind: "host", hostId: leaving.hostId } });
    const answer = ref.ask("work", 21, { timeoutMs: 30_000 });
    await started.promise;
    const stopping = leaving.shutdown();
    await waitFor(
      () => asker.hosts().some((h) => h.hostId === leaving.hostId && h.state === "left"),
      "the asker to hear the goodbye",
      10_000,
    );
    gate.resolve();
    assert.equal(await answer, 42);
    await stopping;
  } finally {
    gate.resolve();
    await shutdown();
  }
});
