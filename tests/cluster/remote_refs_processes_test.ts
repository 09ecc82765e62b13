/**
 * Remote refs keep the promises of local ones, across real processes: one
 * nats-server, two host agent processes, and this test process as the
 * driver host. `stats()` reads the real counters from the actor's host;
 * `whenStopped` and `ctx.watch` hear of a stop on another host, and of an
 * actor that went with its killed host.
 */

import assert from "node:assert/strict";
import { HostUnreachableError, type Signal } from "../../mod.ts";
import { ProcCounter, ProcFlaky } from "../_helpers/cluster_defs.ts";
import { Watcher } from "../_helpers/actors.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";

async function signalsOf(watcher: { ask(name: "seen"): Promise<Signal[]> }, count: number) {
  let seen: Signal[] = [];
  await waitFor(
    async () => (seen = await watcher.ask("seen")).length >= count,
    `${count} signal(s)`,
    15_000,
  );
  return seen;
}

// One test with a step per case: the cluster starts and stops inside it.
Deno.test("remote refs keep the promises of local ones across processes", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server, agents: [, doomed] } = await startServerAndAgents(cleanup, {
    cluster: "refs",
    agents: [{ hostId: "steady" }, { hostId: "doomed" }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "refs", hosts: 3 });

  await t.step(
    "stats() of a remote ref reports the actor's real counters, read from its host",
    async () => {
      const counter = await driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "steady" },
        mailbox: { kind: "bounded", capacity: 50, overflow: "reject" },
      });
      for (let i = 0; i < 3; i++) counter.tell("add", 1);
      assert.equal(await counter.ask("get"), 3);
      const stats = await counter.stats();
      assert.equal(stats.id, counter.id);
      assert.equal(stats.status, "running");
      assert.equal(stats.handled, 4);
      assert.deepEqual(stats.mailbox, {
        kind: "bounded",
        capacity: 50,
        maxBytes: 256 * 1024 * 1024,
        overflow: "reject",
        depth: 0,
        bytes: 0,
      });
      await driver.stop(counter);
      assert.equal((await counter.stats()).status, "stopped");
    },
  );

  await t.step(
    "whenStopped of a remote ref resolves with its host's record when it fails",
    async () => {
      const flaky = await driver.spawn(ProcFlaky, {
        placement: { kind: "host", hostId: "steady" },
      });
      const stopped = driver.whenStopped(flaky);
      flaky.tell("crash", "disk full");
      const record = await within(stopped, 15_000, "the remote actor's record");
      assert.equal(record?.kind, "error");
      assert.equal(record?.hostId, "steady");
      assert.equal(record?.actor.id, flaky.id);
      assert.equal(record?.messageName, "crash");
      assert.equal(record?.error?.message, "disk full");
      // Asked again once it is gone, the record comes at once from its host.
      const again = await within(driver.whenStopped(flaky), 15_000, "the record again");
      assert.equal(again?.kind, "error");
    },
  );

  await t.step(
    "ctx.watch of a remote actor delivers 'terminated' with the record when it stops",
    async () => {
      const watcher = driver.spawn(Watcher);
      const counter = await driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "steady" },
      });
      const left = await driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "steady" },
      });
      watcher.tell("watch", counter);
      watcher.tell("watch", left);
      watcher.tell("unwatch", left);
      await watcher.ask("seen");
      await driver.stop(left);
      await driver.stop(counter);
      const [signal, ...more] = await signalsOf(watcher, 1);
      assert.equal(signal.kind, "terminated");
      assert.equal(signal.ref.id, counter.id);
      assert.equal(signal.record?.kind, "stopped");
      assert.equal(signal.record?.hostId, "steady");
      // The watch that was ended before the stop stays silent: only one signal came.
      assert.deepEqual(more, []);
      assert.equal((await watcher.ask("seen")).length, 1);
      await driver.stop(watcher);
    },
  );

  await t.step(
    "an actor whose host is killed is terminated for its watchers, with host-lost",
    async () => {
      const watcher = driver.spawn(Watcher);
      const victim = await driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "doomed" },
      });
      watcher.tell("watch", victim);
      const stopped = driver.whenStopped(victim);
      await watcher.ask("seen");
      assert.equal(await victim.ask("where"), "doomed");
      await doomed.kill();
      const record = await within(stopped, 20_000, "the victim's record");
      assert.equal(record?.kind, "host-lost");
      assert.equal(record?.hostId, "doomed");
      const [signal] = await signalsOf(watcher, 1);
      assert.equal(signal.ref.id, victim.id);
      assert.equal(signal.record?.kind, "host-lost");
      await assert.rejects(Promise.resolve(victim.stats()), (err) => HostUnreachableError.is(err));
      // Watched again after its host was declared lost, it is over at once.
      const late = await within(driver.whenStopped(victim), 10_000, "a record after the loss");
      assert.equal(late?.kind, "host-lost");
      await driver.stop(watcher);
    },
  );
});
