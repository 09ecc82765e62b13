// A script that tries to join a cluster at a port that accepts connections
// but never speaks NATS. Usage: mute_server.ts <port>
import { ActorSystem } from "../../../mod.ts";

try {
  await ActorSystem.start({
    cluster: {
      name: "mute",
      servers: `nats://127.0.0.1:${Deno.args[0]}`,
      connect: { connectTimeoutMs: 1_000 },
    },
  });
  console.log("joined?");
} catch (err) {
  console.log(`${(err as Error).name}: ${(err as Error).message}`);
}
