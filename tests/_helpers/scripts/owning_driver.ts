// A driver script that spawns a named counter on host `agent` of a cluster,
// then ends the way the test asks: `shutdown`, `crash` (waits to be killed),
// `detached` (the counter is spawned detached, then shutdown) or `replace`
// (spawns over a leftover of that name with existing: "replace", then shutdown).
// With a fifth argument `persistent`, the counter is a persistent one (it holds
// what every run added). Usage: owning_driver.ts <server url> <cluster> <mode> <name> [persistent]
import { ActorSystem } from "../../../mod.ts";
import { ProcCounter, ProcPCounter } from "../cluster_defs.ts";

const [servers, name, mode, actorName, kind] = Deno.args;
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
const options = {
  name: actorName,
  placement: { kind: "host", hostId: "agent" },
  detached: mode === "detached",
  existing: mode === "replace" ? "replace" : "error",
} as const;
let counter: { id: string };
let holding: number;
if (kind === "persistent") {
  const persistent = await system.spawn(ProcPCounter, options);
  holding = await persistent.ask("addAndGet", 1);
  counter = persistent;
} else {
  const plain = await system.spawn(ProcCounter, options);
  plain.tell("add", 1);
  holding = await plain.ask("get");
  counter = plain;
}
console.log(`spawned ${counter.id} by ${system.hostId} holding ${holding}`);
if (mode === "crash") {
  await new Promise(() => {});
}
await system.shutdown();
