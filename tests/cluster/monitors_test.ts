import assert from "node:assert/strict";
import { MonitorRing } from "../../cluster/monitors.ts";

const hosts = (n: number, prefix = "h") =>
  Array.from({ length: n }, (_, i) => ({ hostId: `${prefix}${i}`, watcher: true }));

Deno.test("in a cluster of five hosts or fewer every host monitors every other", () => {
  const ring = new MonitorRing(hosts(5));
  for (const { hostId } of hosts(5)) {
    assert.deepEqual(
      ring.monitorsOf(hostId).sort(),
      hosts(5).map((h) => h.hostId).filter((id) => id !== hostId).sort(),
    );
    assert.equal(ring.watchedBy(hostId).length, 4);
  }
});

Deno.test("in a large cluster each host has four monitors, and monitors about four hosts", () => {
  const members = hosts(1_000);
  const ring = new MonitorRing(members);
  const watching = new Map(members.map((m) => [m.hostId, new Set(ring.watchedBy(m.hostId))]));
  for (const { hostId } of members) {
    const monitors = ring.monitorsOf(hostId);
    assert.equal(new Set(monitors).size, 4);
    assert.ok(!monitors.includes(hostId));
    // Both directions agree: a monitor of a host watches it.
    for (const m of monitors) assert.ok(watching.get(m)!.has(hostId), `${m} watches ${hostId}`);
  }
  const total = [...watching.values()].reduce((n, s) => n + s.size, 0);
  assert.equal(total, 4 * members.length);
  assert.ok([...watching.values()].every((s) => s.size === 4));
});

Deno.test("a host joining changes the monitors of a few hosts only", () => {
  const members = hosts(200);
  const before = new MonitorRing(members);
  const after = new MonitorRing([...members, { hostId: "newcomer", watcher: true }]);
  const changed = members.filter((m) =>
    before.monitorsOf(m.hostId).join() !== after.monitorsOf(m.hostId).join()
  );
  assert.ok(changed.length <= 4, `${changed.length} hosts got other monitors`);
});

Deno.test("a member that monitors nobody is monitored, and watches nobody", () => {
  const ring = new MonitorRing([...hosts(8), { hostId: "go-client", watcher: false }]);
  assert.equal(ring.monitorsOf("go-client").length, 4);
  assert.deepEqual(ring.watchedBy("go-client"), []);
  for (const { hostId } of hosts(8)) assert.ok(!ring.monitorsOf(hostId).includes("go-client"));
});

Deno.test("a watcher's rank among a member's monitors is where it stands in that member's list, with watchers and non-watchers mixed", () => {
  const members = [
    ...hosts(40),
    ...Array.from({ length: 10 }, (_, i) => ({ hostId: `go${i}`, watcher: false })),
  ];
  const ring = new MonitorRing(members);
  let slow = 0;
  for (const { hostId, watcher } of members) {
    if (!watcher) {
      assert.deepEqual(ring.watchedWithRank(hostId), []);
      continue;
    }
    for (const { hostId: watched, rank } of ring.watchedWithRank(hostId)) {
      assert.equal(rank, ring.monitorsOf(watched).indexOf(hostId), `${hostId} on ${watched}`);
      if (rank >= 2) slow++;
    }
  }
  assert.equal(slow, 2 * members.length, "every member has two slow monitors");
});
