/**
 * Failover in parallel: when a host holding many of a `one_for_one`
 * supervisor's children is lost, they start again side by side (a bounded
 * number at a time), not one remote spawn after another.
 */

import assert from "node:assert/strict";
import { childSpec, defineActor, defineSupervisor, type Tell } from "../../mod.ts";
import { virtualCluster } from "../_helpers/virtual_cluster.ts";

/** Starts in flight right now, and the most seen at once. */
const starts = { inFlight: 0, most: 0, done: 0 };

const SlowStart = defineActor<{ noop: Tell }, string, string>({
  type: "slow-start",
  init: async (label) => {
    starts.inFlight++;
    starts.most = Math.max(starts.most, starts.inFlight);
    // Real time: the start of a restarted child takes a while (a state claim, a model load).
    await new Promise((resolve) => setTimeout(resolve, 20));
    starts.inFlight--;
    starts.done++;
    return label;
  },
  tells: { noop: (label) => label },
});

Deno.test("one_for_one: the children of a lost host start again side by side, each once", async () => {
  const count = 24;
  const Sup = defineSupervisor({
    type: "many",
    strategy: { kind: "one_for_one", maxRestarts: 3, withinMs: 60_000 },
    children: Array.from({ length: count }, (_, i) =>
      childSpec(SlowStart, {
        id: `c${i}`,
        args: `c${i}`,
        placement: { kind: "spread", labels: { worker: "1" } },
      })),
  });
  const cluster = await virtualCluster([{ worker: "0" }, { worker: "1" }, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    for (let i = 0; i < 400 && starts.done < count; i++) await cluster.step(25);
    await a.whenStarted(sup);
    assert.equal(starts.most, 1, "a first start is one child at a time (start_link)");
    const onH1 = (await sup.ask("which")).filter((c) => c.hostId === "h1").length;
    assert.ok(onH1 >= 2, `spread put ${onH1} children on h1`);
    starts.most = 0;
    starts.done = 0;
    await cluster.links[1].close(); // h1 crashes
    let after = await sup.ask("which");
    for (
      let i = 0;
      i < 800 && !after.every((c) => c.hostId === "h2" && c.status === "remote");
      i++
    ) {
      await cluster.step(25);
      after = await sup.ask("which");
    }
    assert.ok(after.every((c) => c.hostId === "h2"), JSON.stringify(after));
    assert.equal(starts.done, onH1, "each child of the lost host started once");
    assert.ok(starts.most > 1, `the restarts ran side by side (at most ${starts.most} at once)`);
    assert.equal(
      after.filter((c) => c.restarts === 1).length,
      onH1,
      "each moved child counts one restart",
    );
    assert.equal(sup.stats().status, "running", "one lost host is one restart for the intensity");
  } finally {
    await cluster.stop();
  }
});
