/**
 * Fast and slow monitors (`cluster/monitors.ts`): a host's two nearest
 * monitors hear every heartbeat of it and judge it alone while both live;
 * the other two hear one in four, and judge it when a fast one died with it.
 */

import assert from "node:assert/strict";
import type { ActorSystem } from "../../mod.ts";
import { FULL_RATE_HEARTBEATS_AFTER_CHANGE, MonitorRing } from "../../cluster/monitors.ts";
import { HEARTBEAT_MS, memoryCluster, SUSPICION_MS } from "../_helpers/memory_cluster.ts";

const state = (system: ActorSystem, hostId: string) =>
  system.hosts().find((h) => h.hostId === hostId)?.state;

Deno.test("in a cluster of twelve idle hosts each host's heartbeat reaches its two fast monitors and itself at every beat, and its two slow monitors at one in four", async () => {
  const { hosts, delivered, step, stop } = await memoryCluster(12);
  try {
    await step(1_000);
    for (const h of hosts) assert.equal(h.hosts().filter((x) => x.state === "alive").length, 12);
    // Slow monitors hear every beat for a while after the ring changed (the joins).
    await step(FULL_RATE_HEARTBEATS_AFTER_CHANGE * HEARTBEAT_MS);
    const before = delivered();
    await step(2_000);
    // Ten heartbeats a second: 3 deliveries each, and 2 more for one in four.
    // Four monitors hearing every beat would be 5 each.
    const perHostPerS = (delivered() - before) / hosts.length / 2;
    assert.ok(perHostPerS >= 3 * 10, `each host received ${perHostPerS} messages a second`);
    assert.ok(perHostPerS <= 3 * 10 + 2 * 10 / 4 + 1, `each host received ${perHostPerS} a second`);
  } finally {
    await stop();
  }
});

Deno.test("a host that crashes together with both its fast monitors is still declared lost by every survivor, and so are they", async () => {
  const { hosts, links, step, stop } = await memoryCluster(8);
  try {
    await step(1_000);
    const ring = new MonitorRing(hosts.map((h) => ({ hostId: h.hostId, watcher: true })));
    const victim = "h0";
    const fast = ring.monitorsOf(victim).slice(0, 2);
    const crashed = [victim, ...fast];
    for (const id of crashed) await links[Number(id.slice(1))].close();
    await step(4_000);
    for (const h of hosts) {
      if (crashed.includes(h.hostId)) continue;
      for (const id of crashed) assert.equal(state(h, id), "lost", `${h.hostId} judges ${id}`);
      for (const other of hosts) {
        if (crashed.includes(other.hostId)) continue;
        assert.equal(state(h, other.hostId), "alive", `${h.hostId} keeps ${other.hostId}`);
      }
    }
  } finally {
    await stop();
  }
});

Deno.test("a crashed host whose fast monitors live is declared lost within the suspicion timeout and a check, before its slow monitors could vote", async () => {
  const { hosts, links, step, stop } = await memoryCluster(8);
  try {
    await step(1_000);
    await links[0].close();
    await step(SUSPICION_MS + 2 * HEARTBEAT_MS);
    for (const h of hosts.slice(1)) assert.equal(state(h, "h0"), "lost", `${h.hostId} judges h0`);
  } finally {
    await stop();
  }
});
