import assert from "node:assert/strict";
import { childSpec, defineSupervisor, InvalidOptionError } from "../../../mod.ts";
import { Counter } from "../../_helpers/actors.ts";
import { withSystem, withVirtualSystem } from "../../_helpers/system.ts";
import { buildTree } from "../../../actors/observe/inspection.ts";
import { preview } from "../../../actors/observe/_snapshot.ts";

const Pool = defineSupervisor({
  type: "pool",
  children: [0, 1, 2].map((i) => childSpec(Counter, { id: `w${i}`, name: `w${i}` })),
});

Deno.test("inspect on one host lists every actor with its parent, load and restarts, and the supervision tree", async () => {
  await withSystem(async (system) => {
    const pool = system.spawn(Pool, { name: "pool" });
    system.spawn(Counter, { name: "loner" });
    await pool.ask("which");
    const w1 = system.lookup("w1", Counter)!;
    w1.tell("add", 1);
    w1.tell("fail", "bad shard");
    // Queued behind the failing message, so answered by the restarted incarnation.
    assert.equal(await w1.ask("get"), 0, "restarted and serving");

    const seen = await system.inspect();
    assert.equal(seen.scope, "host");
    assert.equal(seen.hosts.length, 1);
    assert.equal(seen.hosts[0].hostId, system.hostId);
    assert.equal(seen.hosts[0].connection, "local");
    assert.equal(seen.hosts[0].actorCount, 5);
    const byName = new Map(seen.actors.map((a) => [a.name, a]));
    assert.equal(byName.get("w1")?.parentId, pool.id);
    assert.equal(byName.get("w1")?.restarts, 1);
    assert.equal(byName.get("w1")?.lastFailure?.error?.message, "bad shard");
    assert.equal(byName.get("w1")?.lastFailure?.messageName, "fail");
    assert.equal(byName.get("w1")?.hostId, system.hostId);
    assert.equal(byName.get("w0")?.lastFailure, undefined);
    assert.equal(byName.get("loner")?.parentId, undefined);

    assert.deepEqual(
      seen.tree.map((n) => [n.actor.name, n.children.map((c) => c.actor.name)]),
      [["pool", ["w0", "w1", "w2"]], ["loner", []]],
    );
    assert.equal(seen.deaths[0].actor.name, "w1");
    assert.equal(seen.deaths[0].kind, "error");
    const letter = seen.deadLetters.find((l) => l.reason === "handler-failed");
    assert.equal(letter?.payloadPreview, '"bad shard"');
    assert.equal(letter?.hostId, system.hostId);
  });
});

Deno.test("inspect reports queued messages and the message rate over the last second", async () => {
  await withVirtualSystem(async (system, clock) => {
    const counter = system.spawn(Counter);
    for (let i = 0; i < 500; i++) counter.tell("add", 1);
    assert.equal(await counter.ask("get"), 500);
    await clock.advance(1_000);
    const host = (await system.inspect()).hosts[0];
    assert.equal(host.messagesPerSecond, 501, "500 tells and one ask in one second");
    assert.equal(host.queuedMessages, 0);
    assert.equal(host.uptimeMs, 1_000);
    await clock.advance(1_000);
    assert.equal((await system.inspect()).hosts[0].messagesPerSecond, 0, "idle since");
  });
});

Deno.test("inspect limits the recent records it reports, newest first", async () => {
  await withSystem(async (system) => {
    const counter = system.spawn(Counter);
    await system.stop(counter);
    for (let i = 0; i < 10; i++) counter.tell("add", i);
    const seen = await system.inspect({ recent: 3 });
    assert.deepEqual(seen.deadLetters.map((l) => l.payloadPreview), ["9", "8", "7"]);
    assert.ok(seen.deadLetters.every((l) => l.reason === "actor-stopped"));
  });
});

Deno.test("inspect refuses bad options with InvalidOptionError", async () => {
  await withSystem(async (system) => {
    await assert.rejects(system.inspect({ timeoutMs: -1 }), InvalidOptionError);
    await assert.rejects(system.inspect({ recent: 1.5 }), InvalidOptionError);
    await assert.rejects(system.inspect({ scope: "galaxy" as "host" }), InvalidOptionError);
  });
});

Deno.test("a payload preview is short and never throws", () => {
  assert.equal(preview("x".repeat(500)).length, 120);
  assert.ok(preview("x".repeat(500)).endsWith("…"));
  assert.equal(preview(new Float32Array(4)), "Float32Array(16 bytes)");
  assert.equal(preview({ big: 10n }), '{"big":"10n"}');
  assert.equal(preview(undefined), "undefined");
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(preview(cyclic), "[object Object]");
});

Deno.test("the tree puts an actor whose parent is missing at the top", () => {
  const actor = (id: string, parentId?: string) => ({
    id,
    name: undefined,
    type: "t",
    hostId: id.split("/")[0],
    parentId,
    status: "running" as const,
    mailboxDepth: 0,
    handled: 0,
    restarts: 0,
    lastFailure: undefined,
  });
  const tree = buildTree([actor("a/0"), actor("b/0", "a/0"), actor("c/0", "gone/9")]);
  assert.deepEqual(
    tree.map((n) => [n.actor.id, n.children.map((c) => c.actor.id)]),
    [["a/0", ["b/0"]], ["c/0", []]],
  );
});
