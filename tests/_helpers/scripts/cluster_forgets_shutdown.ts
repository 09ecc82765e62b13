// A script that joins a cluster, asks, and ends without shutting down.
// Usage: cluster_forgets_shutdown.ts <server url> <cluster> <host id>
import { ActorSystem } from "../../../mod.ts";
import { Counter } from "../actors.ts";

const [servers, name, hostId] = Deno.args;
const system = await ActorSystem.start({ hostId, cluster: { name, servers } });
const counter = system.spawn(Counter);
counter.tell("add", 41);
console.log(`answer: ${(await counter.ask("get")) + 1}`);
