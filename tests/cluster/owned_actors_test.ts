/**
 * Actors a driver program spawns on other hosts are owned by it: they stop
 * when it shuts down or is lost, unless spawned `detached`; a re-run driver
 * finds no leftovers. Real nats-server, a real agent process, and real
 * driver processes.
 */

import assert from "node:assert/strict";
import type { ActorSystem, DeathRecord } from "../../mod.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import type { NatsServer } from "../../testing.ts";

const script = new URL("../_helpers/scripts/owning_driver.ts", import.meta.url).pathname;

/** Runs the driver script to its end (or, for `crash`, until it spawned, then kills it). */
async function runDriver(
  server: NatsServer,
  mode: "shutdown" | "crash" | "detached" | "replace",
  name: string,
  kind: "plain" | "persistent" = "plain",
): Promise<{ actorId: string; driverId: string; holding: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, server.url, "owned", mode, name, kind],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let match: RegExpExecArray | null = null;
  while ((match = /spawned (\S+) by (\S+) holding (\d+)/.exec(out)) === null) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  if (mode === "crash") child.kill("SIGKILL");
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  const [{ code }, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  assert.ok(match !== null, `the driver spawned nothing:\n${out}\n${stderr}`);
  if (mode !== "crash") assert.equal(code, 0, stderr);
  return { actorId: match[1], driverId: match[2], holding: Number(match[3]) };
}

async function aliveOnAgent(observer: ActorSystem, name: string): Promise<string[]> {
  const { actors } = await observer.inspect({ timeoutMs: 10_000 });
  return actors.filter((a) => a.hostId === "agent" && a.name === name && a.status !== "stopped")
    .map((a) => a.id);
}

async function deathOf(observer: ActorSystem, actorId: string): Promise<DeathRecord | undefined> {
  const { deaths } = await observer.inspect({ timeoutMs: 10_000 });
  return deaths.find((d) => d.actor.id === actorId);
}

Deno.test({
  name: "actors a driver spawned on another host stop with it, unless detached",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const { server } = await startServerAndAgents(cleanup, {
      cluster: "owned",
      agents: [{ hostId: "agent" }],
    });
    const observer = await startDriver(cleanup, server, { cluster: "owned", hosts: 2 });

    await t.step(
      "a driver that shuts down takes its actor with it (owner-gone, left)",
      async () => {
        const { actorId, driverId } = await runDriver(server, "shutdown", "tw-0");
        await waitFor(
          async () => (await deathOf(observer, actorId)) !== undefined,
          "a record",
          20_000,
        );
        const record = await deathOf(observer, actorId);
        assert.equal(record?.kind, "owner-gone");
        assert.deepEqual(record?.owner, { hostId: driverId, how: "left" });
        assert.deepEqual(await aliveOnAgent(observer, "tw-0"), []);
      },
    );

    await t.step("re-running the same driver finds the name free", async () => {
      const { actorId } = await runDriver(server, "shutdown", "tw-0");
      await waitFor(
        async () => (await deathOf(observer, actorId)) !== undefined,
        "a record",
        20_000,
      );
    });

    await t.step(
      "a driver killed with SIGKILL: its actor stops once it is declared lost",
      async () => {
        const { actorId, driverId } = await runDriver(server, "crash", "tw-1");
        await waitFor(
          async () => (await deathOf(observer, actorId)) !== undefined,
          "a record",
          30_000,
        );
        const record = await deathOf(observer, actorId);
        assert.equal(record?.kind, "owner-gone");
        assert.deepEqual(record?.owner, { hostId: driverId, how: "lost" });
        // The re-run works without a name conflict.
        await runDriver(server, "shutdown", "tw-1");
      },
    );

    await t.step("a detached actor outlives its driver; a re-run replaces it", async () => {
      const { actorId } = await runDriver(server, "detached", "tw-2");
      assert.deepEqual(await aliveOnAgent(observer, "tw-2"), [actorId]);
      const again = await runDriver(server, "replace", "tw-2");
      const replaced = await deathOf(observer, actorId);
      assert.equal(replaced?.kind, "stopped", "the leftover was stopped to make room");
      await waitFor(
        async () => (await deathOf(observer, again.actorId)) !== undefined,
        "the replacement, owned, stops with its driver",
        20_000,
      );
      assert.deepEqual(await aliveOnAgent(observer, "tw-2"), []);
    });

    await t.step(
      "a detached persistent actor outlives its driver; a re-run replaces it and resumes its state",
      async () => {
        // The agent's state file outlives the test: a key of this run's own.
        const name = `tw-3-${crypto.randomUUID().slice(0, 8)}`;
        const first = await runDriver(server, "detached", name, "persistent");
        assert.equal(first.holding, 1);
        const again = await runDriver(server, "replace", name, "persistent");
        assert.equal(again.holding, 2, "the replacement resumed the state");
        assert.equal((await deathOf(observer, first.actorId))?.kind, "stopped");
      },
    );
  },
});
