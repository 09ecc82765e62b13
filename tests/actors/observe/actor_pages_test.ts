/**
 * `system.inspectActors()` on one host: a first page counts the actors by
 * type, pages after it list every actor exactly once, filters narrow both,
 * and a bad query is refused with a typed error.
 */

import assert from "node:assert/strict";
import {
  type ActorSystem,
  childSpec,
  defineActor,
  defineSupervisor,
  InvalidOptionError,
  type Tell,
} from "../../../mod.ts";
import type { ActorPage, ActorQuery } from "../../../types.ts";
import { withSystem } from "../../_helpers/system.ts";

const Idle = defineActor<{ poke: Tell<number> }, number>({
  type: "idle",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

const Busy = defineActor<{ poke: Tell<number> }, number>({
  type: "busy",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

const Pool = defineSupervisor<void>({
  type: "pool",
  strategy: { kind: "one_for_one", maxRestarts: 1, withinMs: 1_000 },
  children: () => [0, 1, 2].map((i) => childSpec(Idle, { id: `c${i}` })),
});

const MANY = 50_000;

async function spawnMany(system: ActorSystem, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    system.spawn(i % 5 === 0 ? Busy : Idle, i < 3 ? { name: `n${i}` } : {});
    if (i % 5_000 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Every page of a query, from the first on. */
async function allPages(system: ActorSystem, query: ActorQuery): Promise<ActorPage[]> {
  const pages = [await system.inspectActors(query)];
  while (pages.at(-1)!.next !== undefined) {
    pages.push(await system.inspectActors({ ...query, cursor: pages.at(-1)!.next }));
  }
  return pages;
}

Deno.test("a first page of a host with 50,000 actors counts them by type and lists the first of them", async () => {
  await withSystem(async (system) => {
    await spawnMany(system, MANY);
    const page = await system.inspectActors();
    assert.deepEqual(
      page.summaries?.map((s) => [s.hostId, s.type, s.count]),
      [[system.hostId, "busy", MANY / 5], [system.hostId, "idle", MANY - MANY / 5]],
    );
    assert.equal(page.summaries?.[1].restarts, 0);
    assert.equal(
      Object.values(page.summaries![1].statuses).reduce((a, b) => a + b, 0),
      MANY - MANY / 5,
    );
    assert.equal(page.actors.length, 100, "the default limit");
    assert.equal(page.actors[0].name, "n0");
    assert.equal(page.next, page.actors[99].id);
    assert.deepEqual(page.unanswered, []);
  });
});

Deno.test("pages of 1,000 list every one of 50,000 actors exactly once, in spawn order", async () => {
  await withSystem(async (system) => {
    await spawnMany(system, MANY);
    const pages = await allPages(system, { limit: 1_000 });
    assert.equal(pages.length, 50);
    assert.ok(pages.slice(1).every((p) => p.summaries === undefined), "summaries come first only");
    const ids = pages.flatMap((p) => p.actors.map((a) => a.id));
    assert.equal(ids.length, MANY);
    assert.equal(new Set(ids).size, MANY);
    assert.deepEqual(
      ids,
      (await system.inspect({ scope: "host", actorsPerHost: Infinity })).actors.map((a) => a.id),
    );
  });
});

Deno.test("filters narrow the summaries and the pages: type, name, status and supervisor", async () => {
  await withSystem(async (system) => {
    await spawnMany(system, 2_000);
    const busy = await allPages(system, { type: "busy", limit: 150 });
    assert.deepEqual(busy[0].summaries?.map((s) => [s.type, s.count]), [["busy", 400]]);
    assert.equal(busy.flatMap((p) => p.actors).length, 400);
    assert.ok(busy.flatMap((p) => p.actors).every((a) => a.type === "busy"));

    const named = await system.inspectActors({ name: "n1" });
    assert.deepEqual(named.actors.map((a) => a.name), ["n1"]);
    assert.equal(named.next, undefined);

    const stopping = await system.inspectActors({ status: "stopping" });
    assert.deepEqual(stopping.summaries, []);
    assert.deepEqual(stopping.actors, []);

    const pool = system.spawn(Pool, { name: "pool" });
    for (
      let i = 0;
      i < 100 && (await system.inspectActors({ supervisor: pool.id })).actors.length < 3;
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const children = await system.inspectActors({ supervisor: pool.id, limit: 2 });
    assert.deepEqual(children.summaries?.map((s) => [s.type, s.count]), [["idle", 3]]);
    assert.equal(children.actors.length, 2);
    assert.ok(children.actors.every((a) => a.parentId === pool.id));
    const rest = await system.inspectActors({ supervisor: pool.id, cursor: children.next });
    assert.equal(rest.actors.length, 1);
    assert.equal(rest.next, undefined);
    assert.equal(
      (await system.inspectActors({ hostId: "elsewhere" })).summaries?.length,
      0,
      "no other host",
    );
  });
});

Deno.test("a bad query is refused with InvalidOptionError, naming the option", async () => {
  await withSystem(async (system) => {
    const bad: [Record<string, unknown>, string][] = [
      [{ limit: 0 }, "limit"],
      [{ limit: 1_001 }, "limit"],
      [{ limit: 2.5 }, "limit"],
      [{ status: "asleep" }, "status"],
      [{ type: 7 }, "type"],
      [{ name: "x".repeat(300) }, "name"],
      [{ cursor: "not-an-actor-id" }, "cursor"],
      [{ timeoutMs: -1 }, "timeoutMs"],
    ];
    for (const [query, option] of bad) {
      await assert.rejects(
        () => system.inspectActors(query as ActorQuery),
        (err: unknown) => err instanceof InvalidOptionError && err.option === option,
        JSON.stringify(query),
      );
    }
  });
});
