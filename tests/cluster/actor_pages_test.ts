/**
 * Pages of actors across the hosts of a cluster: hosts in id order, every
 * actor exactly once, summaries from every host on a first page; and a host
 * refuses a page request out of bounds with a typed error, and keeps serving.
 */

import assert from "node:assert/strict";
import { defineActor, type Tell } from "../../mod.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import type { ActorPage } from "../../types.ts";

const Idle = defineActor<{ poke: Tell<number> }, number>({
  type: "idle",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

Deno.test("pages of 7 walk three hosts in id order and list each of their actors once", async () => {
  const cluster = await startMemoryCluster([{}, {}, {}], { name: "pg" });
  try {
    const [h0, h1, h2] = cluster.hosts;
    const counts = new Map([[h0, 10], [h1, 0], [h2, 15]]);
    for (const [host, count] of counts) for (let i = 0; i < count; i++) host.spawn(Idle);
    const pages: ActorPage[] = [await h1.inspectActors({ limit: 7 })];
    while (pages.at(-1)!.next !== undefined) {
      pages.push(await h1.inspectActors({ limit: 7, cursor: pages.at(-1)!.next }));
    }
    assert.deepEqual(
      pages[0].summaries?.map((s) => `${s.hostId} ${s.type} ${s.count}`),
      ["pg0 idle 10", "pg2 idle 15"],
    );
    const hostsInOrder = pages.flatMap((p) => p.actors.map((a) => a.hostId));
    assert.deepEqual(hostsInOrder, [...Array(10).fill("pg0"), ...Array(15).fill("pg2")]);
    const ids = pages.flatMap((p) => p.actors.map((a) => a.id));
    assert.equal(new Set(ids).size, 25);
    assert.ok(pages.every((p) => p.actors.length <= 7 && p.unanswered.length === 0));

    const onlyPg2 = await h0.inspectActors({ hostId: "pg2", limit: 1_000 });
    assert.equal(onlyPg2.actors.length, 15);
    assert.equal(onlyPg2.next, undefined);
  } finally {
    await cluster.shutdown();
  }
});

Deno.test("a host refuses a page request out of bounds with invalid_option, counts it, and still answers", async () => {
  const cluster = await startMemoryCluster([{}], { name: "bad" });
  const outsider = cluster.bus.connect();
  try {
    const [host] = cluster.hosts;
    host.spawn(Idle);
    const subject = "actors.bad.op1.ctl.bad0.actors";
    const ask = async (request: unknown) =>
      unpackValue(await outsider.request(subject, packValue(request), 5_000), () => undefined) as {
        ok: boolean;
        error?: { code?: string; message: string };
        page?: { actors: unknown[]; more: boolean };
      };
    const bad = [
      "not a map",
      { limit: 5_000 },
      { limit: -1 },
      { limit: 10, after: "x" },
      { limit: 10, after: -2 },
      { limit: 10, type: 42 },
      { limit: 10, name: "n".repeat(1_000) },
      { limit: 10, status: "asleep" },
      { limit: 10, summary: "yes" },
    ];
    for (const request of bad) {
      const answer = await ask(request);
      assert.equal(answer.ok, false, JSON.stringify(request));
      assert.equal(answer.error?.code, "invalid_option", JSON.stringify(request));
    }
    const good = await ask({ limit: 10 });
    assert.equal(good.ok, true);
    assert.equal(good.page?.actors.length, 1);
    const inspection = await host.inspect({ scope: "host" });
    assert.equal(inspection.hosts[0].refused?.["bad-actors-request"], bad.length);
  } finally {
    await outsider.close();
    await cluster.shutdown();
  }
});
