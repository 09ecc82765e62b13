/**
 * An inspection of a host with very many actors is gathered and merged in
 * slices: timers fire while it is taken, and it still lists every actor.
 */

import assert from "node:assert/strict";
import { defineActor, type Tell } from "../../../mod.ts";
import type { Runtime } from "../../../actors/runtime.ts";
import { LocalHost } from "../../../actors/local_host.ts";
import {
  buildTree,
  mergeSnapshots,
  mergeSnapshotsInSlices,
} from "../../../actors/observe/inspection.ts";
import { ticksDuring } from "../../_helpers/loop_ticks.ts";
import { bareRuntime } from "../../_helpers/bare_runtime.ts";

const Idle = defineActor<{ poke: Tell<number> }, number>({
  type: "idle",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

const MANY = 200_000;

function runtimeWith(count: number): Runtime {
  const runtime = bareRuntime("big");
  const parent = runtime.spawn(Idle as never, { name: "root" } as never, undefined);
  for (let i = 1; i < count; i++) {
    runtime.spawn(Idle as never, undefined, i < 10 ? parent : undefined);
  }
  return runtime;
}

const CONTEXT = { labels: {}, connection: "local", supervisorOf: () => undefined } as const;

Deno.test("an inspection of 200,000 actors is gathered and merged in slices", async (t) => {
  const runtime = runtimeWith(MANY);
  try {
    const local = new LocalHost(runtime);
    const gathered = await ticksDuring(() => local.snapshotInSlices(CONTEXT, 10));
    const snapshot = gathered.result;

    await t.step("timers fire while the snapshot is gathered, and it lists every actor", () => {
      assert.ok(gathered.ticks >= 2, `${gathered.ticks} ticks in ${gathered.elapsedMs} ms`);
      assert.equal(snapshot.host.actorCount, MANY);
      assert.equal(snapshot.actors.length, MANY);
      assert.equal(snapshot.actors[0].name, "root");
      assert.deepEqual(snapshot.actors.map((a) => a.id), [...runtime.cells()].map((c) => c.id));
      assert.equal(snapshot.actors[5].parentId, snapshot.actors[0].id);
    });

    await t.step(
      "timers fire while it is merged, into the tree a merge in one go builds",
      async () => {
        const merging = await ticksDuring(() =>
          mergeSnapshotsInSlices(1, "host", [snapshot, { ...snapshot, actors: [] }], [], 10)
        );
        assert.ok(merging.ticks >= 2, `${merging.ticks} ticks in ${merging.elapsedMs} ms`);
        const merged = merging.result;
        assert.equal(merged.actors.length, MANY);
        assert.equal(merged.tree.length, MANY - 9, "the root's nine children are not roots");
        assert.deepEqual(
          merged.tree[0].children.map((c) => c.actor.id),
          snapshot.actors.slice(1, 10).map((a) => a.id),
        );
        const once = mergeSnapshots(1, "host", [snapshot], [], 10);
        assert.equal(once.tree.length, merged.tree.length);
        assert.deepEqual(once.tree[0], merged.tree[0]);
      },
    );
  } finally {
    await runtime.shutdown(10_000);
  }
});

Deno.test("buildTree keeps children in order and makes an actor whose parent is missing a root", () => {
  const actor = (id: string, parentId?: string) => ({
    id,
    name: undefined,
    type: "t",
    hostId: "h",
    parentId,
    status: "running" as const,
    mailboxDepth: 0,
    handled: 0,
    restarts: 0,
    lastFailure: undefined,
  });
  const tree = buildTree([
    actor("a"),
    actor("b", "a"),
    actor("c", "a"),
    actor("d", "gone"),
    actor("e", "b"),
  ]);
  assert.deepEqual(
    JSON.parse(JSON.stringify(tree, (key, value) => key === "actor" ? value.id : value)),
    [
      {
        actor: "a",
        children: [{ actor: "b", children: [{ actor: "e", children: [] }] }, {
          actor: "c",
          children: [],
        }],
      },
      { actor: "d", children: [] },
    ],
  );
});
