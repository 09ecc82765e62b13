// A script whose actor ticks on a timer, and that ends without shutting down.
// Its onStop prints, so the test sees the system shut down on the way out.
import { ActorSystem, type Ask, defineActor, type Tell } from "../../../mod.ts";

const Ticker = defineActor<{ tick: Tell<void>; get: Ask<void, number> }, number>({
  type: "ticker",
  init: (_, ctx) => {
    ctx.timers.every("tick", 20, "tick");
    return 0;
  },
  tells: { tick: (n) => n + 1 },
  asks: { get: (n) => ({ state: n, reply: n }) },
  onStop: () => console.log("onStop ran"),
});
const system = await ActorSystem.start();
const ticker = system.spawn(Ticker);
await new Promise((resolve) => setTimeout(resolve, 100));
console.log(`ticked: ${(await ticker.ask("get")) > 0}`);
