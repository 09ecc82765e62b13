/**
 * Placement under faults: regressions found by the seeded simulation
 * (chaos/simulation.ts), each pinned down here in a small virtual cluster.
 */

import assert from "node:assert/strict";
import { childSpec, defineSupervisor } from "../../mod.ts";
import { Counter } from "../_helpers/actors.ts";
import { virtualCluster } from "../_helpers/virtual_cluster.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { Subjects } from "../../transport/subjects.ts";

const spreadSup = (maxRestarts = 3, childName = "c") =>
  defineSupervisor({
    type: "fsup",
    strategy: { kind: "one_for_one", maxRestarts, withinMs: 10_000 },
    children: [
      childSpec(Counter, {
        id: "c",
        name: childName,
        placement: { kind: "spread", labels: { worker: "1" } },
      }),
    ],
  });

Deno.test("a child placed on a host that just crashed (not yet declared lost) goes to another host", async () => {
  const cluster = await virtualCluster([{}, { worker: "1" }, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    await cluster.links[1].close(); // h1 crashes; the others still think it alive
    for (let i = 0; i < 2; i++) {
      // Spread goes round robin, so one of two supervisors picks h1 first.
      const sup = a.spawn(spreadSup(3, `c${i}`), { name: `s${i}` });
      const [child] = await sup.ask("which");
      assert.equal(child.hostId, "h2");
      assert.equal(sup.stats().status, "running");
    }
  } finally {
    await cluster.stop();
  }
});

Deno.test("a host marked unreachable by a bounce is still declared lost after the suspicion timeout", async () => {
  const cluster = await virtualCluster([{}, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    const counter = await a.spawn(Counter, { placement: { kind: "host", hostId: "h1" } });
    await cluster.links[1].close();
    counter.tell("add", 1); // bounces: h1 becomes unreachable
    await cluster.step(50);
    assert.equal(a.hosts().find((h) => h.hostId === "h1")?.state, "unreachable");
    await cluster.step(1_000);
    assert.equal(a.hosts().find((h) => h.hostId === "h1")?.state, "lost");
  } finally {
    await cluster.stop();
  }
});

Deno.test("a restart that finds no host is tried again, and succeeds once a host is back", async () => {
  const cluster = await virtualCluster([{}, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(spreadSup(100));
    const [first] = await sup.ask("which");
    assert.equal(first.hostId, "h1");
    cluster.links[1].setConnected(false); // the only worker is cut off, then declared lost
    await cluster.step(1_500);
    assert.equal(sup.stats().status, "running", "no host is not a reason to die at once");
    cluster.links[1].setConnected(true); // it fences itself and rejoins
    let child = first;
    for (
      let i = 0;
      i < 200 && (child.ref?.id === first.ref?.id || child.status !== "remote");
      i++
    ) {
      await cluster.step(25);
      [child] = await sup.ask("which");
    }
    assert.equal(child.hostId, "h1");
    assert.notEqual(child.ref?.id, first.ref?.id, "a new activation");
  } finally {
    await cluster.stop();
  }
});

Deno.test("with no host for long, the retries count against the intensity and the supervisor gives up", async () => {
  const cluster = await virtualCluster([{}, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(spreadSup(3));
    await sup.ask("which");
    await cluster.links[1].close();
    const stopped = a.whenStopped(sup);
    await cluster.step(3_000);
    const record = await stopped;
    assert.equal(record?.error?.name, "RestartIntensityError");
  } finally {
    await cluster.stop();
  }
});

Deno.test("a supervisor's repeated spawn request (the first timed out) adopts the child the first one made", async () => {
  const cluster = await virtualCluster([{}, { worker: "1" }]);
  const [a, b] = cluster.hosts;
  try {
    const sup = a.spawn(spreadSup(), { name: "owner" });
    await sup.ask("which");
    const request = packValue({ type: Counter.type, name: "adoptee", supervisor: sup });
    const subject = new Subjects("v", "actors", "h0").control("h1", "spawn");
    const ask = async () =>
      unpackValue(await cluster.links[0].request(subject, request, 1_000), () => undefined) as {
        ok: boolean;
        id?: string;
      };
    const first = await ask();
    const second = await ask();
    assert.equal(first.ok, true);
    assert.equal(second.ok, true);
    assert.equal(second.id, first.id, "the same child, not a second one");
    assert.equal(b.actorCount, 2, "the supervisor's own child and the adoptee");
    const other = packValue({ type: Counter.type, name: "adoptee" }); // no supervisor: a real duplicate
    const refused = unpackValue(
      await cluster.links[0].request(subject, other, 1_000),
      () => undefined,
    );
    assert.equal((refused as { ok: boolean }).ok, false);
  } finally {
    await cluster.stop();
  }
});

Deno.test("a host back as a new epoch before anyone declared it lost: its old children are restarted", async () => {
  const cluster = await virtualCluster([{}, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(spreadSup(10));
    const [first] = await sup.ask("which");
    assert.equal(first.hostId, "h1");
    await cluster.restart(1); // the process restarts with the same host id, well within 500 ms
    await cluster.step(300);
    const [child] = await sup.ask("which");
    assert.equal(child.hostId, "h1");
    assert.notEqual(child.ref?.id, first.ref?.id, "the new process never reuses an old actor id");
    const death = a.deaths.of(first.ref!.id)[0];
    assert.equal(death?.kind, "host-lost", "the old activation ended with its process");
    assert.equal(death?.outcome, "restarted");
    const ref = a.resolveRef(child.ref!.toJSON(), Counter);
    assert.equal(await ref.ask("get"), 0, "the new one answers");
  } finally {
    await cluster.stop();
  }
});

Deno.test("a supervisor started while no host can take its child starts it once a host is back", async () => {
  const cluster = await virtualCluster([{}, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    cluster.links[1].setConnected(false); // the only worker is cut off, then declared lost
    await cluster.step(1_500);
    const sup = a.spawn(spreadSup(100));
    await cluster.step(500);
    assert.equal(sup.stats().status, "running", "no host at start is not a reason to die");
    const [waiting] = await sup.ask("which");
    assert.equal(waiting.status, "stopped");
    cluster.links[1].setConnected(true); // it fences itself and rejoins
    let child = waiting;
    for (let i = 0; i < 200 && child.status !== "remote"; i++) {
      await cluster.step(25);
      [child] = await sup.ask("which");
    }
    assert.equal(child.hostId, "h1");
    assert.equal(child.restarts, 0, "a first start, not a restart");
  } finally {
    await cluster.stop();
  }
});
