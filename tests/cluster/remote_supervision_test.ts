import assert from "node:assert/strict";
import { type ActorSystem, childSpec, defineSupervisor, MemoryStore } from "../../mod.ts";
import { tracedWorker } from "../_helpers/traced.ts";
import { PCounter } from "../_helpers/persistent.ts";
import { virtualCluster } from "../_helpers/virtual_cluster.ts";

async function until(
  condition: () => boolean,
  advance: () => Promise<void>,
  what: string,
): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await advance();
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("a supervisor restarts a child that fails on another host", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "xsup",
    children: [
      childSpec(Worker, {
        id: "w",
        name: "w",
        args: "w",
        placement: { kind: "host", hostId: "h1" },
      }),
    ],
  });
  const cluster = await virtualCluster([{}, {}]);
  const [a, b] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    const [child] = await sup.ask("which");
    assert.equal(child.status, "remote");
    assert.equal(child.hostId, "h1");
    const first = b.lookup("w", Worker)!;
    first.tell("crash", "bad batch");
    await until(
      () => log.filter((l) => l === "start w").length === 2,
      () => cluster.step(25),
      "the restart",
    );
    const [restarted] = await sup.ask("which");
    assert.equal(restarted.restarts, 1);
    assert.equal(restarted.hostId, "h1");
    assert.notEqual(restarted.ref?.id, first.id, "a remote child is spawned anew");
    assert.equal(
      b.deaths.last(first)?.error?.message,
      "bad batch",
      "the failure is recorded where it happened",
    );
    assert.ok(
      b.deadLetters.recent().some((l) =>
        l.reason === "handler-failed" && l.payload === "bad batch"
      ),
    );
  } finally {
    await cluster.stop();
  }
});

Deno.test("when a child's host is lost, its supervisor records host-lost and re-places it on a live host", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "xsup",
    strategy: { kind: "one_for_one", maxRestarts: 1, withinMs: 60_000 },
    children: [1, 2, 3].map((i) =>
      childSpec(Worker, {
        id: `w${i}`,
        name: `w${i}`,
        args: `w${i}`,
        placement: { kind: "spread", labels: { gpu: "1" } },
      })
    ),
  });
  const cluster = await virtualCluster([{ gpu: "0" }, { gpu: "1" }, { gpu: "1" }]);
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    const before = await sup.ask("which");
    const onH1 = before.filter((c) => c.hostId === "h1");
    assert.ok(onH1.length >= 1);
    await cluster.links[1].close(); // h1 crashes
    await until(
      () => a.hosts().find((h) => h.hostId === "h1")?.state === "lost",
      () => cluster.step(25),
      "h1 to be declared lost",
    );
    let after = await sup.ask("which");
    await until(() => after.every((c) => c.hostId === "h2"), async () => {
      await cluster.step(25);
      after = await sup.ask("which");
    }, "re-placement");
    const records = a.deaths.find({ kind: "host-lost" });
    assert.deepEqual(records.map((r) => r.actor.name).sort(), onH1.map((c) => c.id).sort());
    assert.ok(
      records.every((r) =>
        r.hostId === "h1" && r.parent?.id === sup.id && r.outcome === "restarted"
      ),
    );
    assert.equal(
      sup.stats().status,
      "running",
      "several children lost at once count as one restart",
    );
  } finally {
    await cluster.stop();
  }
});

Deno.test("a child pinned to a lost host cannot be re-placed: its supervisor fails saying why; the stale activation stops when its host returns", async () => {
  const store = new MemoryStore();
  const Sup = defineSupervisor({
    type: "psup",
    children: [
      childSpec(PCounter, { id: "c", name: "jobs", placement: { kind: "host", hostId: "h1" } }),
    ],
  });
  const cluster = await virtualCluster([{}, {}, {}], { store });
  const [a, b] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    const [child] = await sup.ask("which");
    const counter = a.resolveRef(child.ref!.toJSON(), PCounter);
    for (let i = 0; i < 5; i++) await counter.ask("addAndGet", 1);
    cluster.links[1].setConnected(false); // h1 freezes (like SIGSTOP)
    await until(
      () => a.hosts().find((h) => h.hostId === "h1")?.state === "lost",
      () => cluster.step(25),
      "h1 to be declared lost",
    );
    // The placement names h1, which is lost: the restart cannot place it, and the supervisor fails.
    const record = await a.whenStopped(sup);
    assert.equal(record?.kind, "error");
    assert.equal(record?.error?.name, "PlacementError");
    assert.match(record?.error?.message ?? "", /h1: host is lost/);
    cluster.links[1].setConnected(true); // h1 comes back: its stale activation stops
    await until(
      () => b.lookup("jobs") === undefined,
      () => cluster.step(25),
      "the stale activation to stop",
    );
    assert.equal(b.deaths.find({ name: "jobs" }).at(-1)?.kind, "host-lost");
  } finally {
    await cluster.stop();
  }
});

Deno.test("a persistent child re-placed by spread continues counting where it stopped", async () => {
  const store = new MemoryStore();
  const Sup = defineSupervisor({
    type: "psup2",
    children: [
      childSpec(PCounter, {
        id: "c",
        name: "steps",
        placement: { kind: "spread", labels: { worker: "1" } },
      }),
    ],
  });
  const cluster = await virtualCluster([{}, { worker: "1" }, { worker: "1" }], { store });
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    const [child] = await sup.ask("which");
    const firstHost = child.hostId!;
    const counter = a.resolveRef(child.ref!.toJSON(), PCounter);
    for (let i = 0; i < 7; i++) await counter.ask("addAndGet", 1);
    cluster.links[Number(firstHost.slice(1))].setConnected(false);
    let moved = child;
    await until(() => moved.hostId !== firstHost && moved.status === "remote", async () => {
      await cluster.step(25);
      [moved] = await sup.ask("which");
    }, "the child to move");
    const again = a.resolveRef(moved.ref!.toJSON(), PCounter);
    assert.equal(await again.ask("addAndGet", 1), 8, "no acknowledged update was lost");
    cluster.links[Number(firstHost.slice(1))].setConnected(true);
    await cluster.step(300);
    assert.equal(await again.ask("get"), 8);
  } finally {
    await cluster.stop();
  }
});

Deno.test("a host that shuts down gracefully: its children are re-placed and their records say shutdown", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "xsup",
    children: [
      childSpec(Worker, {
        id: "w",
        name: "w",
        args: "w",
        placement: { kind: "spread", labels: { role: "w" } },
      }),
    ],
  });
  const cluster = await virtualCluster([{}, { role: "w" }, { role: "w" }]);
  const [a, b, c] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    const [child] = await sup.ask("which");
    const leaving: ActorSystem = child.hostId === "h1" ? b : c;
    const staying = leaving === b ? "h2" : "h1";
    const childRef = child.ref!;
    const done = leaving.shutdown({ timeoutMs: 200 });
    await cluster.step(100);
    await done;
    let after = child;
    await until(() => after.hostId === staying, async () => {
      await cluster.step(25);
      [after] = await sup.ask("which");
    }, "re-placement");
    assert.equal(leaving.deaths.last(childRef)?.kind, "shutdown");
    assert.equal(a.deaths.find({ kind: "host-lost" }).length, 0);
  } finally {
    await cluster.stop();
  }
});

Deno.test("when a supervisor's host is lost, its children elsewhere stop as orphans", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "xsup",
    children: [
      childSpec(Worker, {
        id: "w",
        name: "orphan",
        args: "w",
        placement: { kind: "host", hostId: "h1" },
      }),
    ],
  });
  const cluster = await virtualCluster([{}, {}]);
  const [a, b] = cluster.hosts;
  try {
    await a.spawn(Sup).ask("which");
    const orphan = b.lookup("orphan", Worker)!;
    await cluster.links[0].close();
    await until(
      () => orphan.stats().status === "stopped",
      () => cluster.step(25),
      "the orphan to stop",
    );
    assert.equal(b.deaths.last(orphan)?.kind, "host-lost");
  } finally {
    await cluster.stop();
  }
});
