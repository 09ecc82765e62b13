import assert from "node:assert/strict";
import { childSpec, defineSupervisor } from "../../mod.ts";
import { Counter } from "../_helpers/actors.ts";
import { virtualCluster } from "../_helpers/virtual_cluster.ts";

const Sup = defineSupervisor({
  type: "isup",
  children: [
    childSpec(Counter, { id: "near", name: "near" }),
    childSpec(Counter, { id: "one", name: "one", placement: { kind: "host", hostId: "h1" } }),
    childSpec(Counter, { id: "two", name: "two", placement: { kind: "host", hostId: "h2" } }),
  ],
});

Deno.test("inspect across three hosts shows every host and one supervision tree spanning them", async () => {
  const cluster = await virtualCluster([{ gpu: "0" }, { gpu: "1" }, { gpu: "1" }]);
  const [a, b] = cluster.hosts;
  try {
    const sup = a.spawn(Sup, { name: "sup" });
    await sup.ask("which");
    const seen = await b.inspect();
    assert.equal(seen.scope, "cluster");
    assert.deepEqual(seen.hosts.map((h) => [h.hostId, h.state, h.actorCount]), [
      ["h0", "alive", 2],
      ["h1", "alive", 1],
      ["h2", "alive", 1],
    ]);
    assert.deepEqual(seen.hosts.map((h) => h.self), [false, true, false]);
    assert.deepEqual(seen.hosts[1].labels, { gpu: "1" });
    assert.ok(seen.hosts.every((h) => h.connection === "connected"));
    assert.equal(seen.tree.length, 1, "one root: the supervisor");
    assert.equal(seen.tree[0].actor.id, sup.id);
    assert.deepEqual(
      seen.tree[0].children.map((c) => `${c.actor.name}@${c.actor.hostId}`).sort(),
      ["near@h0", "one@h1", "two@h2"],
    );
  } finally {
    await cluster.stop();
  }
});

Deno.test("a host that cannot answer is reported as not answering, and the others are still shown", async () => {
  const cluster = await virtualCluster([{}, {}, {}]);
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(Sup, { name: "sup" });
    await sup.ask("which");
    cluster.links[2].setConnected(false); // cut off, not yet declared lost
    const seen = await a.inspect({ timeoutMs: 300 });
    const h2 = seen.hosts.find((h) => h.hostId === "h2")!;
    assert.equal(h2.state, "not-answering");
    assert.match(h2.problem ?? "", /NoResponders/);
    assert.equal(h2.actorCount, undefined);
    assert.deepEqual(
      seen.tree[0].children.map((c) => c.actor.name).sort(),
      ["near", "one"],
      "the actors of the silent host are missing, not invented",
    );
    assert.equal(seen.hosts.find((h) => h.hostId === "h1")?.state, "alive");
  } finally {
    await cluster.stop();
  }
});

Deno.test("a lost host is reported as lost without being asked", async () => {
  const cluster = await virtualCluster([{}, {}, {}]);
  const [a] = cluster.hosts;
  try {
    await cluster.links[2].close();
    await cluster.step(1_000);
    const seen = await a.inspect({ timeoutMs: 300 });
    const h2 = seen.hosts.find((h) => h.hostId === "h2")!;
    assert.equal(h2.state, "lost");
    assert.equal(h2.problem, "host is lost");
  } finally {
    await cluster.stop();
  }
});
