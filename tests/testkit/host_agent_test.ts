import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { startHostAgent, startNatsServer } from "../../testing.ts";
import { bounded } from "../_helpers/agents.ts";
import { within } from "../_helpers/deadline.ts";
import { stopServer } from "../_helpers/nats.ts";
import { waitFor } from "../_helpers/system.ts";

Deno.test({
  name: "startHostAgent starts a host that joins with its labels, and stop() makes it leave",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const server = await startNatsServer({ jetstream: false });
    cleanup.defer(() => stopServer(server));
    const system = await ActorSystem.start({
      hostId: "driver",
      cluster: { name: "kit", servers: server.url },
    });
    cleanup.defer(() => system.shutdown());
    const agent = bounded(
      await within(
        startHostAgent({
          servers: server.url,
          cluster: "kit",
          hostId: "kit-1",
          labels: { gpu: "1", zone: "b" },
        }),
        40_000,
        "agent kit-1 to join",
      ),
    );
    cleanup.defer(async () => {
      await agent.stop();
    });
    const readAt = Date.now();
    const seen = async (state: string) => {
      for (let i = 0; i < 250; i++) {
        const host = system.hosts().find((h) => h.hostId === "kit-1");
        if (host?.state === state) return host;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`kit-1 never became ${state}`);
    };
    assert.deepEqual((await seen("alive")).labels, { gpu: "1", zone: "b" });
    // cli/agent.ts prints "ready" just before it installs its SIGTERM handler; a SIGTERM in
    // between kills it (exit 143). Its timers run only after that, so two heartbeats heard
    // after the line was read (250 ms apart) show it is past that point.
    const lastSeen = () => system.hosts().find((h) => h.hostId === "kit-1")?.lastSeenMs ?? 0;
    await waitFor(() => lastSeen() > readAt, "a heartbeat from kit-1 after its ready line", 5_000);
    const first = lastSeen();
    await waitFor(() => lastSeen() > first, "the next heartbeat from kit-1", 5_000);
    assert.equal((await agent.stop()).code, 0);
    await seen("left");
  },
});

Deno.test("startHostAgent fails with what the agent printed when it cannot join", async () => {
  await assert.rejects(
    within(
      startHostAgent({ servers: "nats://127.0.0.1:1", cluster: "kit", hostId: "kit-2" }),
      40_000,
      "agent kit-2 to give up",
    ),
    /agent kit-2 exited before it joined/,
  );
});
