/**
 * A child that a supervisor keeps on another host dies there, and its
 * supervisor's host hears of it: the cluster's inspection (what `ctl why`
 * and `ctl actors` print) shows one record per death, and the same count of
 * restarts as the live child.
 */

import assert from "node:assert/strict";
import { childSpec, defineSupervisor } from "../../mod.ts";
import { actorsText, whyText } from "../../actors/observe/inspection_text.ts";
import { tracedWorker } from "../_helpers/traced.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { waitFor } from "../_helpers/system.ts";

Deno.test("ctl why and ctl actors agree about a remotely supervised child: one record per death", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "xsup",
    strategy: { kind: "one_for_one", maxRestarts: 10, withinMs: 60_000 },
    children: [
      childSpec(Worker, {
        id: "w",
        name: "w",
        args: "w",
        placement: { kind: "host", hostId: "m1" },
      }),
    ],
  });
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const sup = a.spawn(Sup, { name: "sup" });
    await sup.ask("which");
    for (let crash = 1; crash <= 3; crash++) {
      b.lookup("w", Worker)!.tell("crash", `bad batch ${crash}`);
      await waitFor(
        () =>
          log.filter((l) => l === "start w").length === crash + 1 && b.lookup("w") !== undefined,
        `restart ${crash}`,
        10_000,
      );
    }
    const [child] = await sup.ask("which");
    assert.equal(child.restarts, 3);

    const inspection = await a.inspect();
    const live = inspection.actors.filter((x) => x.name === "w");
    assert.equal(live.length, 1);
    assert.equal(live[0].restarts, 3, "ctl actors counts the restarts");
    assert.match(actorsText(live), /\srunning\s+0\s+0\s+3\s/m);

    const deaths = inspection.deaths.filter((d) => d.actor.name === "w")
      .sort((x, y) => x.timestampMs - y.timestampMs);
    assert.deepEqual(
      deaths.map((d) => [d.error?.message, d.restartCount, d.outcome, d.parent?.name, d.hostId]),
      [
        ["bad batch 1", 0, "restarted", "sup", "m1"],
        ["bad batch 2", 1, "restarted", "sup", "m1"],
        ["bad batch 3", 2, "restarted", "sup", "m1"],
      ],
      "one record per death, with its supervisor's outcome",
    );
    assert.ok(
      deaths.every((d) => d.error?.stack !== undefined),
      "with the stack from where it ran",
    );

    const why = whyText(inspection, "w")!;
    assert.match(why, /runs on m1 as \S+: running, 3 restarts/);
    assert.equal(why.match(/: error, restarted after/g)?.length, 3, why);
    assert.doesNotMatch(why, /stopped for good/);
  } finally {
    await shutdown();
  }
});
