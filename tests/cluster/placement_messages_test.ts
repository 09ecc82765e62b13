import assert from "node:assert/strict";
import { MemoryStore, type Placement } from "../../mod.ts";
import { Counter } from "../_helpers/actors.ts";
import { virtualCluster } from "../_helpers/virtual_cluster.ts";

/** Subjects of operations (batches, requests), as opposed to membership's heartbeats and changes. */
const OPERATION = /\.(to|ctl)\./;

/**
 * Spawns from h0 with every placement kind and uses a cluster-wide name, in a
 * cluster of `size` hosts; returns how many operation messages all hosts sent
 * per spawn that went to another host.
 */
async function messagesPerRemoteSpawn(size: number): Promise<number> {
  const cluster = await virtualCluster(
    Array.from({ length: size }, () => ({})),
    { store: new MemoryStore() },
  );
  let sent = 0;
  for (const link of cluster.links) {
    const publish = link.publish.bind(link);
    const request = link.request.bind(link);
    link.publish = (subject, ...rest) => {
      if (OPERATION.test(subject)) sent++;
      return publish(subject, ...rest);
    };
    link.request = (subject, ...rest) => {
      if (OPERATION.test(subject)) sent++;
      return request(subject, ...rest);
    };
  }
  const [h0] = cluster.hosts;
  try {
    let remote = 0;
    const placements: Placement[] = [];
    for (let i = 0; i < 6; i++) {
      placements.push({ kind: "spread" }, { kind: "least-loaded" }, {
        kind: "hash",
        key: `k${i}`,
      });
    }
    for (const placement of placements) {
      const spawned = h0.spawn(Counter, { placement });
      let ref;
      spawned.then((r) => ref = r, () => ref = null);
      while (ref === undefined) await cluster.step(25);
      assert.ok(ref, `spawn with ${placement.kind}`);
      if (!(ref as { id: string }).id.startsWith("h0/")) remote++;
    }
    const named = await h0.spawn(Counter);
    await h0.register("the-counter", named);
    const found = cluster.hosts[size - 1].whereIs("the-counter", Counter);
    let where;
    found.then((r) => where = r);
    while (where === undefined) await cluster.step(25);
    assert.equal((where as { id: string }).id, named.id);
    assert.ok(remote > 0, "some spawns went to other hosts");
    return sent / remote;
  } finally {
    await cluster.stop();
  }
}

Deno.test("a remote spawn by spread, least-loaded or hash, and a name lookup, cost the same messages with 4 hosts as with 12", async () => {
  const small = await messagesPerRemoteSpawn(4);
  const large = await messagesPerRemoteSpawn(12);
  assert.ok(
    small > 0 && small <= 2,
    `${small} messages per remote spawn: a request and its batch at most`,
  );
  assert.equal(large, small, `per remote spawn: ${small} messages with 4 hosts, ${large} with 12`);
});
