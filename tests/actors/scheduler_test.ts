import assert from "node:assert/strict";
import { type Ask, type BaseRef, defineActor, type Tell } from "../../mod.ts";
import { Counter } from "../_helpers/actors.ts";
import { withSystem } from "../_helpers/system.ts";

Deno.test("a flood to one actor does not starve another actor", async () => {
  const Observer = defineActor<{ look: Ask<BaseRef, number> }, null>({
    type: "observer",
    init: () => null,
    // Reports how many flood messages were handled before this actor's turn came.
    asks: { look: async (state, target) => ({ state, reply: (await target.stats()).handled }) },
  });
  await withSystem(async (system) => {
    const busy = system.spawn(Counter);
    const observer = system.spawn(Observer);
    for (let i = 0; i < 200_000; i++) busy.tell("add", 1);
    const handledBefore = await observer.ask("look", busy);
    assert.ok(
      handledBefore < 1_000,
      `the observer got a turn after ${handledBefore} flood messages`,
    );
    assert.equal(await busy.ask("get"), 200_000);
  });
});

Deno.test("an actor that keeps messaging itself still lets timers and I/O run", async () => {
  // The rally ends by itself after RALLY hits, so a scheduler that starves the timer
  // fails the test (the timer fires only after the rally) instead of hanging it.
  const RALLY = 100_000_000;
  type PingProtocol = { ball: Tell<number>; stop: Tell; hits: Ask<void, number> };
  const Player = defineActor<
    PingProtocol,
    { peer?: import("../../mod.ts").ActorRef<PingProtocol>; hits: number; on: boolean },
    void
  >({
    type: "player",
    init: () => ({ hits: 0, on: true }),
    tells: {
      ball: (state, n, ctx) => {
        if (!state.on || n >= RALLY) return state;
        (state.peer ?? ctx.self).tell("ball", n + 1);
        return { ...state, hits: state.hits + 1 };
      },
      stop: (state) => ({ ...state, on: false }),
    },
    asks: { hits: (state) => ({ state, reply: state.hits }) },
  });
  await withSystem(async (system) => {
    const player = system.spawn(Player);
    player.tell("ball", 0);
    // A real macrotask timer must still fire while the actor keeps itself busy.
    await new Promise((resolve) => setTimeout(resolve, 30));
    player.tell("stop");
    const hits = await player.ask("hits");
    assert.ok(hits > 1_000, `the rally ran (${hits} hits)`);
    assert.ok(hits < RALLY, "the timer fired while the rally was still going");
  });
});
