import assert from "node:assert/strict";
import { defineActor, type Tell } from "../../../mod.ts";
import type { Runtime } from "../../../actors/runtime.ts";
import { pageHostInSlices } from "../../../actors/observe/_page_steps.ts";
import type { HostActorQuery } from "../../../actors/observe/actor_pages.ts";
import { bareRuntime } from "../../_helpers/bare_runtime.ts";

const Idle = defineActor<{ poke: Tell<number> }, number>({
  type: "idle",
  init: () => 0,
  tells: { poke: (n, x) => n + x },
  asks: {},
});

const CONTEXT = { labels: {}, connection: "local", supervisorOf: () => undefined } as const;

function runtimeWith(count: number): Runtime {
  const runtime = bareRuntime("pages");
  for (let i = 0; i < count; i++) runtime.spawn(Idle as never, undefined, undefined);
  return runtime;
}

const page = (afterSequence: number, limit: number): HostActorQuery => ({
  type: undefined,
  name: undefined,
  status: undefined,
  supervisor: undefined,
  afterSequence,
  limit,
  summary: false,
});

Deno.test("a page after a cursor starts there, without walking the actors before it", async () => {
  const runtime = runtimeWith(5_000);
  try {
    const cells = [...runtime.cells()];
    // Any walk from the first actor fails the page.
    runtime.cells = () => {
      throw new Error("walked from the first actor");
    };
    const answer = await pageHostInSlices(runtime, CONTEXT, page(cells[4_000].sequence, 100));
    assert.deepEqual(
      answer.actors.map((a) => a.id),
      cells.slice(4_001, 4_101).map((c) => c.id),
    );
    assert.equal(answer.more, true);
  } finally {
    await runtime.shutdown(10_000);
  }
});

Deno.test("pages of 128 list every actor once, in spawn order", async () => {
  const runtime = runtimeWith(1_000);
  try {
    const all = [...runtime.cells()].map((c) => c.id);
    const listed: string[] = [];
    let after = -1;
    for (;;) {
      const answer = await pageHostInSlices(runtime, CONTEXT, page(after, 128));
      listed.push(...answer.actors.map((a) => a.id));
      if (!answer.more) break;
      after = runtime.cellsAfter(after).next().value!.sequence + answer.actors.length - 1;
    }
    assert.deepEqual(listed, all);
  } finally {
    await runtime.shutdown(10_000);
  }
});

Deno.test("the actors after a sequence number skip the stopped ones, however many were spawned", async () => {
  const runtime = runtimeWith(3_000);
  try {
    const cells = [...runtime.cells()];
    // Most actors gone: the range left is far wider than the live actors.
    for (const cell of cells.slice(0, 2_990)) runtime.removed(cell);
    const after = [...runtime.cellsAfter(cells[2_994].sequence)].map((c) => c.sequence);
    assert.deepEqual(after, cells.slice(2_995).map((c) => c.sequence));
    const fromFirst = [...runtime.cellsAfter(-1)].map((c) => c.sequence);
    assert.deepEqual(fromFirst, cells.slice(2_990).map((c) => c.sequence));
  } finally {
    await runtime.shutdown(10_000);
  }
});
