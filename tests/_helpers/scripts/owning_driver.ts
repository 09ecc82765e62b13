// A driver script that spawns a named counter on host `agent` of a cluster,
// then ends the way the test asks: `shutdown`, `crash` (waits to be killed),
// `detached` (the counter is spawned detached, then shutdown) or `replace`
// (spawns over a leftover of that name with existing: "replace", then shutdown).
// Usage: owning_driver.ts <server url> <cluster> <mode> <name>
import { ActorSystem } from "../../../mod.ts";
import { ProcCounter } from "../cluster_defs.ts";

const [servers, name, mode, actorName] = Deno.args;
const system = await ActorSystem.start({
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
  cluster: { name, servers },
});
const deadline = Date.now() + 20_000;
while (!system.hosts().some((h) => h.hostId === "agent" && h.state === "alive")) {
  if (Date.now() > deadline) throw new Error("host 'agent' never appeared");
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const counter = await system.spawn(ProcCounter, {
  name: actorName,
  placement: { kind: "host", hostId: "agent" },
  detached: mode === "detached",
  existing: mode === "replace" ? "replace" : "error",
});
counter.tell("add", 1);
console.log(`spawned ${counter.id} by ${system.hostId} holding ${await counter.ask("get")}`);
if (mode === "crash") {
  await new Promise(() => {});
}
await system.shutdown();
