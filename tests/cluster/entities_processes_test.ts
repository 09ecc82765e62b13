/**
 * Entities across real host processes sharing a JetStream store: first
 * messages for one key that reach several hosts at once activate it once
 * (the claim decides, the others forward), and when the host of an entity
 * is killed with SIGKILL the entity comes back on another host with its
 * state, still once.
 */

import assert from "node:assert/strict";
import { type ActorRef, type ActorSystem, JetStreamStore } from "../../mod.ts";
import { Ledger, type TallyProtocol } from "../_helpers/entity_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { startAgent } from "../_helpers/agents.ts";
import { waitFor } from "../_helpers/system.ts";

const entityDefs = new URL("../_helpers/entity_defs.ts", import.meta.url).pathname;
const HOSTS = ["e1", "e2", "e3"];

/** A ref to the entity's activation on one host, past the key's hash: the claim alone decides. */
function onHost(driver: ActorSystem, hostId: string, key: string): ActorRef<TallyProtocol> {
  return driver.resolveRef({ $ref: `${hostId}/~ledger~${key}` as never, type: "ledger" }, Ledger);
}

const agentArgs = ["--state-bucket", "ents", "--import", entityDefs];

async function cluster(cleanup: AsyncDisposableStack, name: string, hosts = HOSTS) {
  const { server, agents } = await startServerAndAgents(cleanup, {
    cluster: name,
    jetstream: true,
    agents: hosts.map((hostId) => ({ hostId, extraArgs: agentArgs })),
  });
  const store = await JetStreamStore.open({ servers: server.url, bucket: "ents" });
  cleanup.defer(() => store.close());
  const driver = await startDriver(cleanup, server, {
    cluster: name,
    hosts: hosts.length + 1,
    system: { store },
  });
  return { driver, agents, server };
}

Deno.test({
  name: "first messages for one key that reach 3 hosts at once activate it on exactly one",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const { driver } = await cluster(cleanup, "ents-race");
    for (let round = 0; round < 10; round++) {
      const key = `race-${round}`;
      const refs = [...HOSTS.map((h) => onHost(driver, h, key)), driver.entity(Ledger, key)];
      const answers = await Promise.all(
        refs.map((ref) => ref.ask("addAndGet", 1, { timeoutMs: 20_000 })),
      );
      assert.deepEqual([...answers].sort(), [1, 2, 3, 4], `round ${round}: ${answers}`);
      const where = await Promise.all(
        refs.map((ref) => ref.ask("where", undefined, { timeoutMs: 20_000 })),
      );
      assert.equal(new Set(where.map((w) => w.actor)).size, 1, JSON.stringify(where));
    }
  },
});

Deno.test({
  name:
    "an entity whose host is killed with SIGKILL comes back on another host with its state, once",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const { driver, agents } = await cluster(cleanup, "ents-kill");
    // A key that lands on an agent, not on the driver.
    let key = "";
    let holder = "";
    for (let i = 0; holder === "" || holder === "driver"; i++) {
      key = `kept-${i}`;
      await driver.entity(Ledger, key).ask("addAndGet", 10, { timeoutMs: 20_000 });
      const where = await driver.entity(Ledger, key).ask("where", undefined, { timeoutMs: 20_000 });
      holder = where.actor.split("/")[0];
    }
    await driver.entity(Ledger, key).ask("addAndGet", 5, { timeoutMs: 20_000 });
    await agents.find((a) => a.hostId === holder)!.kill();
    await waitFor(
      () => driver.hosts().some((h) => h.hostId === holder && h.state === "lost"),
      `host ${holder} to be declared lost`,
      30_000,
    );
    const total = await driver.entity(Ledger, key).ask("addAndGet", 1, { timeoutMs: 20_000 });
    assert.equal(total, 16);
    const survivors = HOSTS.filter((h) => h !== holder);
    const where = await Promise.all([
      driver.entity(Ledger, key).ask("where", undefined, { timeoutMs: 20_000 }),
      ...survivors.map((h) =>
        onHost(driver, h, key).ask("where", undefined, { timeoutMs: 20_000 })
      ),
    ]);
    assert.equal(new Set(where.map((w) => w.actor)).size, 1, JSON.stringify(where));
    assert.notEqual(where[0].actor.split("/")[0], holder);
  },
});

Deno.test({
  name: "a host that joins takes over its share of entities, and no acknowledged update is lost",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const { driver, server } = await cluster(cleanup, "ents-join", ["j1", "j2"]);
    const keys = Array.from({ length: 24 }, (_, i) => `moving-${i}`);
    const acked = new Map<string, number[]>(keys.map((k) => [k, []]));
    const failed = new Map<string, number>(keys.map((k) => [k, 0]));
    let joined = false;
    let moved = false;
    let roundsAfterJoin = 0;
    const load = Promise.all(keys.map(async (key) => {
      // The load goes on until a key has moved (shards move at a bounded rate, a sweep apart).
      while (!joined || !moved || roundsAfterJoin < 30) {
        if (joined && key === keys[0]) roundsAfterJoin++;
        try {
          acked.get(key)!.push(
            await driver.entity(Ledger, key).ask("addAndGet", 1, { timeoutMs: 20_000 }),
          );
        } catch {
          failed.set(key, failed.get(key)! + 1);
        }
      }
    }));
    const agent = await startAgent({
      url: server.url,
      cluster: "ents-join",
      hostId: "j3",
      extraArgs: agentArgs,
    });
    cleanup.defer(async () => {
      await agent.stop();
    });
    await waitFor(
      () => driver.hosts().filter((h) => h.state === "alive").length === 4,
      "the new host to be seen",
      30_000,
    );
    joined = true;
    const onJ3 = async () => {
      const where = await Promise.all(
        keys.map((key) =>
          driver.entity(Ledger, key).ask("where", undefined, { timeoutMs: 20_000 })
        ),
      );
      return where.some((w) => w.actor.startsWith("j3/"));
    };
    try {
      await waitFor(onJ3, "an entity to move to the new host while the load runs", 60_000);
    } finally {
      moved = true;
    }
    await load;
    let onNewHost = 0;
    for (const key of keys) {
      const values = acked.get(key)!;
      assert.equal(new Set(values).size, values.length, `${key}: a value acknowledged twice`);
      const total = await driver.entity(Ledger, key).ask("total", undefined, { timeoutMs: 20_000 });
      assert.ok(total >= Math.max(...values), `${key}: ${total} < ${Math.max(...values)}`);
      assert.ok(
        total - values.length <= failed.get(key)!,
        `${key}: ${total} after ${values.length}`,
      );
      const where = await driver.entity(Ledger, key).ask("where", undefined, { timeoutMs: 20_000 });
      if (where.actor.startsWith("j3/")) onNewHost++;
    }
    assert.ok(onNewHost > 0, "some entities moved to the new host");
  },
});
