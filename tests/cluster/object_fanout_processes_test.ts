/**
 * One publish to many readers, across real host processes: one
 * nats-server, host agent processes as readers, and this test process as
 * the driver that holds the objects. Readers that get one object at about
 * the same time share one fan-out transfer: the holder publishes the value
 * once, each reader gets the same bytes, and a reader killed mid-transfer
 * leaves the others to finish.
 */

import assert from "node:assert/strict";
import { digestOf, ObjReader } from "../_helpers/object_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import type { ActorSystem } from "../../mod.ts";

const on = (hostId: string) => ({ placement: { kind: "host" as const, hostId } });

/** A Float32Array of `mib` MiB whose bytes differ from place to place. */
function valueOf(mib: number): Float32Array {
  const values = new Float32Array(mib * 256 * 1024);
  for (let i = 0; i < values.length; i++) values[i] = (i * 7919) % 1_000_003;
  return values;
}

function fanoutOf(driver: ActorSystem) {
  const counts = driver.transportStats()?.fanout;
  assert.ok(counts !== undefined, "the driver counts its fan-out transfers");
  return counts;
}

Deno.test("readers of one object at about the same time share one publish of it", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server, agents } = await startServerAndAgents(cleanup, {
    cluster: "fanout",
    agents: [{ hostId: "r1" }, { hostId: "r2" }, { hostId: "r3" }, { hostId: "doomed" }],
  });
  const doomed = agents[3];
  const driver = await startDriver(cleanup, server, {
    cluster: "fanout",
    hosts: 5,
    // The three gets of a step leave three agent processes that a loaded
    // machine schedules far apart: a window and a wait for subscriptions far
    // longer than that spread, so that what is proven is the sharing, not
    // how closely the gets arrive (the defaults are 20 ms and 1 s).
    join: { fanoutWindowMs: 5_000, fanoutReadyTimeoutMs: 8_000 },
  });
  const readers = await Promise.all(
    ["r1", "r2", "r3", "doomed"].map((host) => driver.spawn(ObjReader, on(host))),
  );

  await t.step("three hosts get identical bytes, and the holder published them once", async () => {
    const value = valueOf(24);
    const expected = {
      digest: digestOf(new Uint8Array(value.buffer)),
      bytes: value.byteLength,
    };
    const obj = await driver.put(value);
    const before = fanoutOf(driver);
    const sentBefore = driver.transportStats()?.bytesSent;
    const results = await Promise.all(
      readers.slice(0, 3).map((r) => r.ask("digest", obj, { timeoutMs: 120_000 })),
    );
    for (const result of results) assert.deepEqual(result, expected);
    // A reader counts as delivered when its last credit reaches the holder, which may follow its get.
    await waitFor(
      () => fanoutOf(driver).delivered - before.delivered >= 3,
      "the readers' last credit at the holder",
      30_000,
    );
    const after = fanoutOf(driver);
    assert.equal(after.transfers - before.transfers, 1, "one transfer for the three readers");
    assert.equal(after.readers - before.readers, 3);
    assert.equal(after.delivered - before.delivered, 3);
    const sentAfter = driver.transportStats()?.bytesSent;
    if (sentBefore !== undefined && sentAfter !== undefined) {
      // One copy of the value left the holder (three would be 72 MiB).
      assert.ok(
        sentAfter - sentBefore < 1.5 * value.byteLength,
        `sent ${sentAfter - sentBefore} bytes for a value of ${value.byteLength}`,
      );
    }
    await obj.release();
  });

  await t.step("a reader killed mid-transfer does not stop the others", async () => {
    const value = valueOf(64);
    const expected = {
      digest: digestOf(new Uint8Array(value.buffer)),
      bytes: value.byteLength,
    };
    const obj = await driver.put(value);
    const before = fanoutOf(driver);
    const asks = [readers[0], readers[1], readers[3]].map((r) =>
      r.ask("digest", obj, { timeoutMs: 120_000 }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      )
    );
    await waitFor(
      () => fanoutOf(driver).chunks > before.chunks,
      "the transfer to start publishing",
      60_000,
    );
    await doomed.kill();
    const [first, second, killed] = await Promise.all(asks);
    assert.deepEqual(first, { result: expected });
    assert.deepEqual(second, { result: expected });
    assert.ok("error" in killed, "the killed reader's read did not finish");
    // A reader counts as delivered when its last credit reaches the holder, which may follow its get.
    await waitFor(
      () => fanoutOf(driver).delivered - before.delivered >= 2,
      "the readers' last credit at the holder",
      30_000,
    );
    const after = fanoutOf(driver);
    assert.equal(after.transfers - before.transfers, 1, "one transfer for the three readers");
    assert.equal(after.delivered - before.delivered, 2);
    await waitFor(() => fanoutOf(driver).open.out === 0, "the transfer to end", 30_000);
    await obj.release();
  });
});
