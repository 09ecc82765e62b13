// A script that shuts its system down on SIGINT/SIGTERM; run with a state file path and
// "serve" (counts to 1000, prints "ready", waits for a signal) or "read" (prints the stored count).
import { ActorSystem, defineActor, FileStore } from "../../../mod.ts";
import { PCounter } from "../persistent.ts";

const [path, mode] = Deno.args;
const store = await FileStore.open({ path });
const system = await ActorSystem.start({ store });
if (mode === "read") {
  console.log(`count: ${await system.spawn(PCounter, { name: "jobs" }).ask("get")}`);
  await system.shutdown();
  await store.close();
} else {
  const Noisy = defineActor<Record<never, never>, null>({
    type: "noisy",
    init: () => null,
    onStop: () => console.log("onStop ran"),
    tells: {},
    asks: {},
  });
  system.spawn(Noisy);
  const jobs = system.spawn(PCounter, { name: "jobs" });
  for (let i = 0; i < 1000; i++) jobs.tell("add", 1);
  system.shutdownOnSignals();
  console.log("ready");
  setInterval(() => {}, 1_000); // keeps the process alive until a signal
}
