import assert from "node:assert/strict";
import { ActorSystem, MemoryStore, NameTakenError } from "../../mod.ts";
import { Counter } from "../_helpers/actors.ts";
import { virtualCluster } from "../_helpers/virtual_cluster.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { waitFor } from "../_helpers/system.ts";

Deno.test("of racing registrations of one name exactly one wins, round after round", async () => {
  const store = new MemoryStore();
  const { hosts, shutdown } = await startMemoryCluster([{}, {}, {}], { system: { store } });
  try {
    for (let round = 0; round < 50; round++) {
      const refs = hosts.map((h) => h.spawn(Counter));
      const attempts = await Promise.allSettled(
        refs.map((ref, i) => hosts[i].register("leader", ref)),
      );
      const winners = attempts.filter((a) => a.status === "fulfilled");
      assert.equal(winners.length, 1, `round ${round}`);
      for (const loss of attempts.filter((a) => a.status === "rejected")) {
        assert.ok((loss as PromiseRejectedResult).reason instanceof NameTakenError);
      }
      const winner = refs[attempts.findIndex((a) => a.status === "fulfilled")];
      for (const host of hosts) {
        assert.equal((await host.whereIs("leader", Counter))?.id, winner.id);
      }
      for (let i = 0; i < refs.length; i++) await hosts[i].stop(refs[i]);
      // The release is a store delete that the stop starts and does not wait for.
      await waitFor(
        async () => await hosts[0].whereIs("leader") === undefined,
        `round ${round}: the name to be released when its actor stopped`,
      );
    }
  } finally {
    await shutdown();
  }
});

Deno.test("a name found from another host is a working ref", async () => {
  const store = new MemoryStore();
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}], { system: { store } });
  try {
    const counter = a.spawn(Counter);
    await a.register("ps-0", counter);
    const found = await b.whereIs("ps-0", Counter);
    found!.tell("add", 5);
    assert.equal(await found!.ask("get"), 5);
    assert.equal(await b.unregister("ps-0"), true);
    assert.equal(await b.whereIs("ps-0"), undefined);
  } finally {
    await shutdown();
  }
});

Deno.test("names held on a host that is lost are released", async () => {
  const store = new MemoryStore();
  const cluster = await virtualCluster([{}, {}, {}], { store });
  const [a, , c] = cluster.hosts;
  try {
    await c.register("on-c", c.spawn(Counter));
    assert.ok(await a.whereIs("on-c"));
    await cluster.links[2].close();
    for (let i = 0; i < 100 && (await a.whereIs("on-c")) !== undefined; i++) await cluster.step(25);
    assert.equal(await a.whereIs("on-c"), undefined);
  } finally {
    await cluster.stop();
  }
});

Deno.test("cluster-wide names need a store the hosts share", async () => {
  const { hosts: [a], shutdown } = await startMemoryCluster([{}]);
  try {
    await assert.rejects(
      a.register("x", a.spawn(Counter)),
      (err: Error) => err.name === "InvalidOptionError",
    );
  } finally {
    await shutdown();
  }
  const alone = await ActorSystem.start({ store: new MemoryStore() });
  const counter = alone.spawn(Counter);
  await alone.register("solo", counter);
  await assert.rejects(alone.register("solo", alone.spawn(Counter)), NameTakenError);
  await alone.shutdown();
});
