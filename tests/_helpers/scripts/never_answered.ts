// A script whose only pending work is an ask that no handler will ever answer.
import { ActorSystem, type Ask, defineActor } from "../../../mod.ts";

const Mute = defineActor<{ get: Ask<void, number> }, null>({
  type: "mute",
  init: () => null,
  asks: { get: () => new Promise(() => {}) },
});
const system = await ActorSystem.start();
try {
  await system.spawn(Mute).ask("get", undefined, { timeoutMs: 200 });
} catch (err) {
  console.log(`rejected with ${(err as Error).name}`);
}
