// A driver that spawns an actor type from a definitions module on host
// `agent`, asks it `hello`, and prints the reply (or the spawn's error).
// Usage: versioned_driver.ts <server url> <cluster> <defs module path> <export name>
//   [--detached] [--wait] [--ask <actor id>]
// --wait: read one line from stdin after importing, before spawning.
// --ask: also ask `hello` of an actor already running (its id), and print that.
import { type ActorDefinition, ActorSystem, type Ask } from "../../../mod.ts";

type Hello = { hello: Ask<void, string> };

const [servers, cluster, defsPath, exportName, ...flags] = Deno.args;
const defs = await import(defsPath);
const definition = defs[exportName] as ActorDefinition<Hello, null, void>;
if (flags.includes("--wait")) {
  const reader = Deno.stdin.readable.getReader();
  await reader.read();
  reader.releaseLock();
}
const system = await ActorSystem.start({
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
  cluster: { name: cluster, servers },
});
const deadline = Date.now() + 20_000;
while (!system.hosts().some((h) => h.hostId === "agent" && h.state === "alive")) {
  if (Date.now() > deadline) throw new Error("host 'agent' never appeared");
  await new Promise((resolve) => setTimeout(resolve, 50));
}
try {
  const ref = await system.spawn(definition, {
    placement: { kind: "host", hostId: "agent" },
    detached: flags.includes("--detached"),
  });
  console.log(`spawned ${ref.id}: ${await ref.ask("hello")}`);
} catch (err) {
  console.log(`spawn failed: ${(err as Error).name}: ${(err as Error).message}`);
}
const askAt = flags.indexOf("--ask");
if (askAt >= 0) {
  const serialized = { $ref: flags[askAt + 1], type: definition.type };
  const old = system.resolveRef(serialized as Parameters<typeof system.resolveRef>[0], definition);
  console.log(`old: ${await old.ask("hello")}`);
}
await system.shutdown();
