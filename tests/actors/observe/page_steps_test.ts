/**
 * A host answers a page request in slices: its loop serves other work
 * between them, and a page after a cursor starts where the last one ended.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor } from "../../../mod.ts";
import { Runtime } from "../../../actors/runtime.ts";
import { Logger } from "../../../actors/observe/logger.ts";
import { systemClock } from "../../../base/clock.ts";
import { LocalRef } from "../../../actors/local_ref.ts";
import { pageHostInSlices } from "../../../actors/observe/_page_steps.ts";
import type { HostActorQuery } from "../../../actors/observe/actor_pages.ts";
import { ITEMS_PER_PAUSE } from "../../../base/slices.ts";

const Echo = defineActor<{ echo: Ask<number, number> }, null>({
  type: "echo",
  init: () => null,
  asks: { echo: (s, n) => ({ state: s, reply: n }) },
});

const MANY = 50_000;

function runtimeWith(count: number): Runtime {
  const runtime = new Runtime({
    hostId: "big" as never,
    clock: systemClock,
    askTimeoutMs: 10_000,
    stopTimeoutMs: 5_000,
    deadLetters: { logPerSecond: 0 },
    scheduler: {},
    deathRecords: {},
    topLevelFailure: "keep-running",
    logFailures: false,
    logger: new Logger("big", { level: "silent" }),
    store: undefined,
    stateFile: ":memory:",
    firstSequence: 0,
  });
  for (let i = 0; i < count; i++) runtime.spawn(Echo as never, undefined, undefined);
  return runtime;
}

const CONTEXT = { labels: {}, connection: "local", supervisorOf: () => undefined } as const;

const FIRST: HostActorQuery = {
  type: undefined,
  name: undefined,
  status: undefined,
  supervisor: undefined,
  afterSequence: -1,
  limit: 100,
  summary: true,
};

Deno.test("another actor's asks are served while a host counts 50,000 actors for a first page", async () => {
  const runtime = runtimeWith(MANY);
  try {
    const echo = new LocalRef(runtime.cells().next().value!);
    let answered = false;
    const page = pageHostInSlices(runtime, CONTEXT, FIRST, 0).finally(() => answered = true);
    const served: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      assert.equal(await echo.ask("echo", i, { timeoutMs: 10_000 }), i);
      served.push(!answered);
    }
    const result = await page;
    assert.deepEqual(served, [true, true, true], "each ask was served before the page was done");
    assert.equal(result.summaries?.[0].count, MANY);
    assert.equal(result.actors.length, 100);
    assert.equal(result.more, true);
  } finally {
    await runtime.shutdown(10_000);
  }
});

Deno.test("a page after a cursor starts after it and says whether more come", async () => {
  const runtime = runtimeWith(2 * ITEMS_PER_PAUSE);
  try {
    const sequences = [...runtime.cells()].map((c) => c.sequence);
    const after = sequences[ITEMS_PER_PAUSE];
    const page = await pageHostInSlices(runtime, CONTEXT, {
      ...FIRST,
      summary: false,
      afterSequence: after,
      limit: 1_000,
    });
    assert.equal(page.summaries, undefined);
    assert.deepEqual(
      page.actors.map((a) => a.id),
      [...runtime.cells()].slice(ITEMS_PER_PAUSE + 1).map((c) => c.id),
    );
    assert.equal(page.more, false);
  } finally {
    await runtime.shutdown(10_000);
  }
});
