/**
 * Persistent actors behave the same on every backend: the state continues in
 * a new system, a stale activation is fenced, and odd keys are encoded the
 * same way.
 */

import assert from "node:assert/strict";
import {
  ActorSystem,
  FileStore,
  JetStreamStore,
  MemoryStore,
  type StateStore,
} from "../../../mod.ts";
import { startNatsServer } from "../../../testkit/nats_server.ts";
import { PCounter } from "../../_helpers/persistent.ts";
import { stopServer } from "../../_helpers/nats.ts";

const quiet = { logFailures: false, deadLetters: { logPerSecond: 0 } };
const server = await startNatsServer();
const dir = await Deno.makeTempDir({ prefix: "persist-backends-" });
Deno.test.afterAll(async () => {
  await stopServer(server);
  await Deno.remove(dir, { recursive: true });
});
let n = 0;

const backends: [string, () => Promise<StateStore>][] = [
  ["memory", () => Promise.resolve(new MemoryStore())],
  ["file", () => FileStore.open({ path: `${dir}/state-${n++}.db` })],
  ["jetstream", () => JetStreamStore.open({ servers: server.url, bucket: `persist${n++}` })],
];

for (const [name, open] of backends) {
  Deno.test({
    name: `${name} store: a persistent actor continues, is fenced when stale, and takes any key`,
    fn: async () => {
      // Whatever started is stopped, in reverse order, however the test ends.
      await using cleanup = new AsyncDisposableStack();
      const store = await open();
      cleanup.defer(() => store.close());
      const start = async () => {
        const system = await ActorSystem.start({ ...quiet, store });
        cleanup.defer(() => system.shutdown());
        return system;
      };
      const key = "trial:3 .*> x";
      const first = await start();
      assert.equal(await first.spawn(PCounter, { persistKey: key }).ask("addAndGet", 5), 5);
      await first.shutdown();

      const a = await start();
      const b = await start();
      const onA = a.spawn(PCounter, { persistKey: key });
      assert.equal(await onA.ask("addAndGet", 1), 6, "continued from the saved state");
      const onB = b.spawn(PCounter, { persistKey: key });
      assert.equal(await onB.ask("addAndGet", 1), 7);
      const err = await onA.ask("addAndGet", 100).catch((e) => e);
      assert.equal(err.name, "StateConflictError");
      assert.equal(await onB.ask("get"), 7);
      await a.shutdown();
      await b.shutdown();
      assert.deepEqual(await store.keys("state."), ["state.trial=3A3=20=2E=2A=3E=20x"]);
    },
  });
}
