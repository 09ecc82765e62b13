import assert from "node:assert/strict";
import { ActorSystem, startHostAgent, startNatsServer } from "../../mod.ts";

Deno.test({
  name: "startHostAgent starts a host that joins with its labels, and stop() makes it leave",
  sanitizeResources: false,
  fn: async () => {
    const server = await startNatsServer({ jetstream: false });
    const system = await ActorSystem.start({
      hostId: "driver",
      cluster: { name: "kit", servers: server.url },
    });
    try {
      const agent = await startHostAgent({
        servers: server.url,
        cluster: "kit",
        hostId: "kit-1",
        labels: { gpu: "1", zone: "b" },
      });
      const seen = async (state: string) => {
        for (let i = 0; i < 250; i++) {
          const host = system.hosts().find((h) => h.hostId === "kit-1");
          if (host?.state === state) return host;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error(`kit-1 never became ${state}`);
      };
      assert.deepEqual((await seen("alive")).labels, { gpu: "1", zone: "b" });
      assert.equal((await agent.stop()).code, 0);
      await seen("left");
    } finally {
      await system.shutdown();
      await server.stop();
    }
  },
});

Deno.test("startHostAgent fails with what the agent printed when it cannot join", async () => {
  await assert.rejects(
    startHostAgent({ servers: "nats://127.0.0.1:1", cluster: "kit", hostId: "kit-2" }),
    /agent kit-2 exited before it joined/,
  );
});
