/**
 * A supervisor's child placed on another host starts as a local one does
 * (OTP's `start_link`): its host answers the spawn once the child's `init`
 * is done, so the next child starts after it; an `init` that fails there
 * fails the supervisor's start. Real nats-server and a real agent process.
 */

import assert from "node:assert/strict";
import { ActorStartError, childSpec, ChildStartError, defineSupervisor } from "../../mod.ts";
import type { ActorSystem, Placement } from "../../mod.ts";
import { ProcNotes, ProcStarter } from "../_helpers/cluster_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";

/** A supervisor of starters a (here), r (on the agent) and c (here). */
function trio(system: ActorSystem, rFails: boolean) {
  const notes = system.spawn(ProcNotes);
  const agent: Placement = { kind: "host", hostId: "agent" };
  const child = (label: string, fail: boolean, placement?: Placement) =>
    childSpec(ProcStarter, {
      id: label,
      args: { label, notes, fail, initMs: 300 },
      ...(placement === undefined ? {} : { placement }),
    });
  const Sup = defineSupervisor({
    type: "remote-trio",
    strategy: { kind: "one_for_one", maxRestarts: 10, withinMs: 60_000 },
    children: [child("a", false), child("r", rFails, agent), child("c", false)],
  });
  return { notes, Sup };
}

Deno.test({
  name:
    "a remote child starts in its turn: the next child waits for its init, and a failed init fails the supervisor's start",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const { server } = await startServerAndAgents(cleanup, {
      cluster: "startlink",
      agents: [{ hostId: "agent" }],
    });
    const driver = await startDriver(cleanup, server, { cluster: "startlink", hosts: 2 });

    await t.step("each child's init is done before the next starts, across hosts", async () => {
      const { notes, Sup } = trio(driver, false);
      const sup = driver.spawn(Sup);
      await driver.whenStarted(sup);
      assert.deepEqual(await notes.ask("lines"), [
        "init a",
        "up a",
        "init r",
        "up r",
        "init c",
        "up c",
      ]);
      const which = await sup.ask("which");
      assert.deepEqual(which.map((c) => `${c.id}:${c.hostId}`), [
        "a:driver",
        "r:agent",
        "c:driver",
      ]);
      await driver.stop(sup);
      assert.deepEqual((await notes.ask("lines")).slice(6), ["stop c", "stop r", "stop a"]);
    });

    await t.step(
      "an init that fails on the agent fails the start: a stops, c never starts",
      async () => {
        const { notes, Sup } = trio(driver, true);
        const sup = driver.spawn(Sup);
        const err = await driver.whenStarted(sup).then(() => undefined, (e) => e as Error);
        assert.ok(ActorStartError.is(err), String(err));
        const cause = err.cause as ChildStartError;
        assert.ok(ChildStartError.is(cause), String(cause));
        assert.equal(cause.childId, "r");
        assert.equal((cause.cause as Error).message, "r cannot start");
        await driver.whenStopped(sup);
        assert.deepEqual(await notes.ask("lines"), ["init a", "up a", "init r", "stop a"]);
      },
    );
  },
});
