/**
 * Tests that say things on stderr, run by tests/output_on_failure_test.ts
 * with and without the suite's preload: an actor that fails (the logger's
 * warning and error) and a host agent whose module warns when it loads, in a
 * test that passes and in one that fails.
 */

import { ActorSystem, defineActor, type Tell } from "../../../mod.ts";
import { startHostAgent, startNatsServer } from "../../../testing.ts";

const Crasher = defineActor<{ crash: Tell }, null>({
  type: "crasher",
  init: () => null,
  tells: {
    crash: () => {
      throw new Error("crashed on purpose");
    },
  },
});

/** Loaded by the agent: its warning reaches the agent's stderr. */
const warnsOnLoad = `data:text/javascript,console.warn("WARN agent module loaded")`;

for (const outcome of ["passes", "fails"]) {
  Deno.test(`a noisy test that ${outcome}`, async () => {
    const system = await ActorSystem.start();
    const crasher = system.spawn(Crasher);
    crasher.tell("crash", undefined);
    await system.whenStopped(crasher);
    await system.shutdown();
    const server = await startNatsServer({ jetstream: false });
    try {
      const agent = await startHostAgent({
        servers: server.url,
        cluster: "noisy",
        hostId: `agent-${outcome}`,
        imports: [warnsOnLoad],
      });
      await agent.stop();
    } finally {
      await server.stop();
    }
    if (outcome === "fails") throw new Error("failed on purpose");
  });
}
