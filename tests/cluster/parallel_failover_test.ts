/**
 * Failover in parallel: when a host holding many of a `one_for_one`
 * supervisor's children is lost, they start again side by side (a bounded
 * number at a time), not one remote spawn after another.
 */

import assert from "node:assert/strict";
import { childSpec, defineActor, defineSupervisor, type Tell } from "../../mod.ts";
import type { VirtualClock } from "../../testing.ts";
import { virtualCluster } from "../_helpers/virtual_cluster.ts";

/** Starts in flight right now, and the most seen at once. */
const starts = { inFlight: 0, most: 0, done: 0 };
/** The cluster's clock: a start takes its time in virtual time, as the requests that wait for it. */
let slowClock: VirtualClock | undefined;

const SlowStart = defineActor<{ noop: Tell }, string, string>({
  type: "slow-start",
  init: async (label) => {
    starts.inFlight++;
    starts.most = Math.max(starts.most, starts.inFlight);
    // The start of a restarted child takes a while (a state claim, a model load).
    await new Promise((resolve) => slowClock!.setTimeout(() => resolve(undefined), 20));
    starts.inFlight--;
    starts.done++;
    return label;
  },
  tells: { noop: (label) => label },
});

Deno.test("one_for_one: the children of a lost host start again side by side, each once", async () => {
  const count = 24;
  const Sup = defineSupervisor({
    type: "many",
    strategy: { kind: "one_for_one", maxRestarts: 3, withinMs: 60_000 },
    children: Array.from({ length: count }, (_, i) =>
      childSpec(SlowStart, {
        id: `c${i}`,
        args: `c${i}`,
        placement: { kind: "spread", labels: { worker: "1" } },
      })),
  });
  const cluster = await virtualCluster([{ worker: "0" }, { worker: "1" }, { worker: "1" }]);
  slowClock = cluster.clock;
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    for (let i = 0; i < 400 && starts.done < count; i++) await cluster.step(25);
    await a.whenStarted(sup);
    assert.equal(starts.most, 1, "a first start is one child at a time (start_link)");
    const onH1 = (await sup.ask("which")).filter((c) => c.hostId === "h1").length;
    assert.ok(onH1 >= 2, `spread put ${onH1} children on h1`);
    starts.most = 0;
    starts.done = 0;
    await cluster.links[1].close(); // h1 crashes
    let after = await sup.ask("which");
    for (
      let i = 0;
      i < 800 && !after.every((c) => c.hostId === "h2" && c.status === "remote");
      i++
    ) {
      await cluster.step(25);
      after = await sup.ask("which");
    }
    assert.ok(after.every((c) => c.hostId === "h2"), JSON.stringify(after));
    assert.equal(starts.done, onH1, "each child of the lost host started once");
    assert.ok(starts.most > 1, `the restarts ran side by side (at most ${starts.most} at once)`);
    assert.equal(
      after.filter((c) => c.restarts === 1).length,
      onH1,
      "each moved child counts one restart",
    );
    assert.equal(sup.stats().status, "running", "one lost host is one restart for the intensity");
  } finally {
    await cluster.stop();
  }
});

/** Child c2 fails its next start once this is set. */
const failing = { c2: false };
const Picky = defineActor<{ noop: Tell }, string, string>({
  type: "picky",
  init: (label) => {
    if (label === "c2" && failing.c2) {
      failing.c2 = false;
      throw new Error("a bad start");
    }
    return label;
  },
  tells: { noop: (label) => label },
});

Deno.test("one_for_one: the children of a lost host placed on one host go there in one spawn request, each answered on its own", async () => {
  const count = 40;
  const Sup = defineSupervisor({
    type: "batched",
    strategy: { kind: "one_for_one", maxRestarts: 5, withinMs: 60_000 },
    children: Array.from({ length: count }, (_, i) =>
      childSpec(Picky, {
        id: `c${i}`,
        args: `c${i}`,
        placement: { kind: "spread", labels: { worker: "1" } },
      })),
  });
  const cluster = await virtualCluster([{ worker: "0" }, { worker: "1" }, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    for (let i = 0; i < 400 && (await sup.ask("which")).length < count; i++) await cluster.step(25);
    const before = await sup.ask("which");
    const onH1 = before.filter((c) => c.hostId === "h1").map((c) => c.id);
    assert.ok(onH1.length >= 10 && onH1.includes("c2"), `spread put ${onH1} on h1`);
    const requests: string[] = [];
    const link = cluster.links[0];
    const request = link.request.bind(link);
    link.request = (subject, data, timeoutMs) => {
      requests.push(subject);
      return request(subject, data, timeoutMs);
    };
    failing.c2 = true;
    await cluster.links[1].close(); // h1 crashes
    let after = await sup.ask("which");
    const moved = () => after.filter((c) => onH1.includes(c.id));
    for (
      let i = 0;
      i < 800 && !moved().every((c) => c.hostId === "h2" && c.status === "remote");
      i++
    ) {
      await cluster.step(25);
      after = await sup.ask("which");
    }
    assert.ok(moved().every((c) => c.hostId === "h2"), JSON.stringify(after));
    const spawns = requests.filter((s) => s.endsWith(".ctl.h2.spawn")).length;
    assert.equal(spawns, 2, `${onH1.length} children went to h2 in one request, c2 again alone`);
    assert.ok(!failing.c2, "c2's start failed once");
    for (const child of moved()) {
      assert.equal(child.restarts, child.id === "c2" ? 2 : 1, `${child.id}: its restarts`);
    }
    assert.equal(sup.stats().status, "running");
  } finally {
    await cluster.stop();
  }
});

/** Starts of `gated` children wait while the gate is closed. */
const gate = { closed: false, open: Promise.withResolvers<void>(), waiting: 0 };
const Gated = defineActor<{ noop: Tell }, string, string>({
  type: "gated",
  init: async (label) => {
    if (gate.closed) {
      gate.waiting++;
      await gate.open.promise;
    }
    return label;
  },
  tells: { noop: (label) => label },
});

Deno.test("one_for_one: a supervisor answers which while the children of a lost host are still starting elsewhere", async () => {
  const count = 20;
  const Sup = defineSupervisor({
    type: "answers",
    strategy: { kind: "one_for_one", maxRestarts: 3, withinMs: 60_000 },
    children: Array.from({ length: count }, (_, i) =>
      childSpec(Gated, {
        id: `c${i}`,
        args: `c${i}`,
        placement: { kind: "spread", labels: { worker: "1" } },
      })),
  });
  const cluster = await virtualCluster([{ worker: "0" }, { worker: "1" }, { worker: "1" }]);
  const [a] = cluster.hosts;
  try {
    const sup = a.spawn(Sup);
    for (let i = 0; i < 400 && (await sup.ask("which")).length < count; i++) await cluster.step(25);
    const onH1 = (await sup.ask("which")).filter((c) => c.hostId === "h1").map((c) => c.id);
    gate.closed = true;
    await cluster.links[1].close(); // h1 crashes; its children's starts on h2 wait at the gate
    for (let i = 0; i < 400 && gate.waiting === 0; i++) await cluster.step(25);
    assert.ok(gate.waiting > 0, "the restart is under way");
    let answered: Awaited<ReturnType<typeof sup.ask<"which">>> | undefined;
    void sup.ask("which", undefined, { timeoutMs: 60_000 }).then((which) => answered = which)
      .catch(() => {});
    for (let i = 0; i < 40 && answered === undefined; i++) await cluster.step(25);
    assert.ok(answered !== undefined, "which was answered while the restart waits");
    assert.ok(
      answered.filter((c) => onH1.includes(c.id)).every((c) => c.status === "stopped"),
      "the children still starting show as not running",
    );
    gate.closed = false;
    gate.open.resolve();
    let after = await sup.ask("which");
    for (let i = 0; i < 400 && !after.every((c) => c.status === "remote"); i++) {
      await cluster.step(25);
      after = await sup.ask("which");
    }
    assert.ok(after.every((c) => c.hostId === "h2" || !onH1.includes(c.id)), JSON.stringify(after));
    assert.ok(after.every((c) => c.status === "remote"), JSON.stringify(after));
    assert.equal(sup.stats().status, "running");
  } finally {
    gate.closed = false;
    gate.open.resolve();
    await cluster.stop();
  }
});
