import assert from "node:assert/strict";
import { ActorSystem, defineActor, PlacementError, type Tell } from "../../mod.ts";
import { Placer } from "../../cluster/placement.ts";
import type { HostInfo } from "../../cluster/view.ts";
import type { Placement } from "../../cluster/placement.ts";
import { Counter } from "../_helpers/actors.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { virtualCluster } from "../_helpers/virtual_cluster.ts";

function host(
  hostId: string,
  labels: Record<string, string>,
  actorCount = 0,
  state: HostInfo["state"] = "alive",
): HostInfo {
  return {
    hostId,
    labels,
    actorCount,
    mailboxDepth: 0,
    startedAtMs: 0,
    epoch: 0,
    inbox: "",
    protocol: 2,
    loopLagMs: state === "busy" ? 2_000 : 0,
    busy: state === "busy",
    state,
    lastSeenMs: 0,
    self: hostId === "h0",
  };
}

const hosts = [
  host("h0", { gpu: "0" }, 5),
  host("h1", { gpu: "1", zone: "a" }, 2),
  host("h2", { gpu: "1", zone: "b" }, 9),
];

Deno.test("placement 'local' picks this host and 'host' picks the named one", () => {
  const placer = new Placer();
  assert.equal(placer.choose({ kind: "local" }, hosts, "h0"), "h0");
  assert.equal(placer.choose({ kind: "host", hostId: "h2" }, hosts, "h0"), "h2");
});

Deno.test("placement 'spread' goes round robin over the hosts that have the labels", () => {
  const placer = new Placer();
  const picks = Array.from(
    { length: 4 },
    () => placer.choose({ kind: "spread", labels: { gpu: "1" } }, hosts, "h0"),
  );
  assert.deepEqual(picks, ["h1", "h2", "h1", "h2"]);
});

Deno.test("placement 'least-loaded' picks the eligible host with the fewest actors", () => {
  const placer = new Placer();
  assert.equal(placer.choose({ kind: "least-loaded" }, hosts, "h0"), "h1");
  assert.equal(placer.choose({ kind: "least-loaded", labels: { gpu: "0" } }, hosts, "h0"), "h0");
});

Deno.test("placement 'least-loaded' passes over a busy host unless every host is busy", () => {
  const placer = new Placer();
  const h1Busy = hosts.map((h) => h.hostId === "h1" ? host("h1", h.labels, 2, "busy") : h);
  assert.equal(placer.choose({ kind: "least-loaded" }, h1Busy, "h0"), "h0");
  const allBusy = hosts.map((h) => host(h.hostId, h.labels, h.actorCount, "busy"));
  assert.equal(placer.choose({ kind: "least-loaded" }, allBusy, "h0"), "h1");
  assert.equal(placer.choose({ kind: "host", hostId: "h1" }, h1Busy, "h0"), "h1");
});

Deno.test("placement 'hash' is stable for a key and moves only the keys of a host that leaves", () => {
  const placer = new Placer();
  const keys = Array.from({ length: 200 }, (_, i) => `shard-${i}`);
  const before = keys.map((key) => placer.choose({ kind: "hash", key }, hosts, "h0"));
  const again = keys.map((key) => placer.choose({ kind: "hash", key }, hosts, "h0"));
  assert.deepEqual(again, before);
  assert.equal(new Set(before).size, 3, "all hosts get keys");
  const without = hosts.map((h) => h.hostId === "h2" ? { ...h, state: "left" as const } : h);
  const after = keys.map((key) => placer.choose({ kind: "hash", key }, without, "h0"));
  keys.forEach((_, i) => {
    if (before[i] !== "h2") assert.equal(after[i], before[i], "keys of staying hosts do not move");
    else assert.notEqual(after[i], "h2");
  });
});

Deno.test("an unsatisfiable placement fails with PlacementError naming each host and constraint", () => {
  const placer = new Placer();
  const mixed = [...hosts.slice(0, 2), host("h3", { gpu: "1" }, 0, "unreachable")];
  assert.throws(
    () => placer.choose({ kind: "spread", labels: { gpu: "1", zone: "c" } }, mixed, "h0"),
    (err: unknown) => {
      assert.ok(err instanceof PlacementError);
      assert.deepEqual(err.refusals, [
        { hostId: "h0", reason: "label gpu=1 wanted, has gpu=0; label zone=c wanted, absent" },
        { hostId: "h1", reason: "label zone=c wanted, has zone=a" },
        { hostId: "h3", reason: "host is unreachable" },
      ]);
      return true;
    },
  );
  assert.throws(() => placer.choose({ kind: "host", hostId: "nope" }, hosts, "h0"), PlacementError);
  assert.throws(
    () => placer.choose({ kind: "host", hostId: "h3" }, mixed, "h0"),
    /host is unreachable/,
  );
});

Deno.test("remote spawn places actors by every kind of placement across three hosts", async () => {
  const { hosts: systems, shutdown } = await startMemoryCluster([{ gpu: "0" }, { gpu: "1" }, {
    gpu: "1",
  }]);
  const [a] = systems;
  try {
    const where = async (options: { placement: Placement }) =>
      (await a.spawn(Counter, options)).id.split("/")[0];
    assert.equal(await where({ placement: { kind: "local" } }), "m0");
    assert.equal(await where({ placement: { kind: "host", hostId: "m2" } }), "m2");
    const gpu = [
      await where({ placement: { kind: "spread", labels: { gpu: "1" } } }),
      await where({ placement: { kind: "spread", labels: { gpu: "1" } } }),
    ];
    assert.deepEqual(gpu.sort(), ["m1", "m2"]);
    const first = await where({ placement: { kind: "hash", key: "model-7" } });
    assert.equal(await where({ placement: { kind: "hash", key: "model-7" } }), first);
    const least = await where({ placement: { kind: "least-loaded" } });
    assert.ok(["m0", "m1", "m2"].includes(least));
    await assert.rejects(
      a.spawn(Counter, { placement: { kind: "spread", labels: { tpu: "1" } } }),
      (err: Error) =>
        err.name === "PlacementError" && /m1: label tpu=1 wanted, absent/.test(err.message),
    );
    const named = await a.spawn(Counter, {
      name: "solo",
      placement: { kind: "host", hostId: "m1" },
    });
    await assert.rejects(
      a.spawn(Counter, { name: "solo", placement: { kind: "host", hostId: "m1" } }),
      (err: Error) => err.name === "DuplicateNameError",
    );
    assert.equal(named.name, "solo");
  } finally {
    await shutdown();
  }
});

Deno.test("hosts announce their queued messages, and least-loaded prefers the shallower mailboxes at equal actor counts", async () => {
  const release = Promise.withResolvers<void>();
  const Stuck = defineActor<{ work: Tell }, null>({
    type: "stuck",
    init: () => null,
    tells: {
      work: async (s) => {
        await release.promise;
        return s;
      },
    },
    asks: {},
  });
  const cluster = await virtualCluster([{ pool: "0" }, { pool: "1" }, { pool: "1" }]);
  const [a, b, c] = cluster.hosts;
  try {
    const busy = b.spawn(Stuck);
    for (let i = 0; i < 20; i++) busy.tell("work");
    c.spawn(Counter);
    await cluster.step(1_200);
    const depth = (id: string) => a.hosts().find((h) => h.hostId === id)?.mailboxDepth;
    assert.equal(depth("h1"), 19, "one message is in its turn, 19 wait");
    assert.equal(depth("h2"), 0);
    assert.equal(b.hosts().find((h) => h.self)?.mailboxDepth, 19);
    const placed = await a.spawn(Counter, {
      placement: { kind: "least-loaded", labels: { pool: "1" } },
    });
    assert.equal(placed.id.split("/")[0], "h2");
  } finally {
    release.resolve();
    await cluster.stop();
  }
});

Deno.test("a system that joined no cluster puts every placement on itself", async () => {
  const system = await ActorSystem.start({ logFailures: false });
  try {
    for (
      const placement of [
        { kind: "spread", labels: { gpu: "1" } },
        { kind: "hash", key: "shard-3" },
        { kind: "least-loaded" },
        { kind: "host", hostId: system.hostId },
      ] as const
    ) {
      const ref = await system.spawn(Counter, { placement });
      assert.equal(ref.id.split("/")[0], system.hostId, placement.kind);
      assert.equal(await ref.ask("get"), 0);
    }
    await assert.rejects(
      system.spawn(Counter, { placement: { kind: "host", hostId: "elsewhere" } }),
      (err: Error) => err.name === "InvalidOptionError" && /only host/.test(err.message),
    );
  } finally {
    await system.shutdown();
  }
});

Deno.test("placement 'least-loaded' spreads many placements made between two load reports", () => {
  const placer = new Placer();
  const hosts = [host("h1", {}, 10), host("h2", {}, 10)];
  const chosen = Array.from(
    { length: 10 },
    () => placer.choose({ kind: "least-loaded" }, hosts, "h0"),
  );
  assert.equal(chosen.filter((h) => h === "h1").length, 5);
  assert.equal(chosen.filter((h) => h === "h2").length, 5);
  // A new report counts what was placed: the placer starts again from it.
  const reported = [host("h1", {}, 15), host("h2", {}, 12)];
  assert.equal(placer.choose({ kind: "least-loaded" }, reported, "h0"), "h2");
  assert.equal(placer.choose({ kind: "least-loaded" }, reported, "h0"), "h2");
  assert.equal(placer.choose({ kind: "least-loaded" }, reported, "h0"), "h2");
});

Deno.test("placement 'least-loaded' with one eligible host picks it every time", () => {
  const placer = new Placer();
  const hosts = [host("h1", { gpu: "1" }, 3), host("h2", {}, 0)];
  for (let i = 0; i < 3; i++) {
    assert.equal(placer.choose({ kind: "least-loaded", labels: { gpu: "1" } }, hosts, "h0"), "h1");
  }
});
