/**
 * Object refs across real host processes: one nats-server, three host
 * agent processes and this test process as the driver. A ref sent to other
 * hosts reads the value from its holder; a release, the owner actor's stop
 * and the kill -9 of the holder's host each make a later get fail with a
 * typed reason, at once or as soon as the host is declared lost, never a hang.
 */

import assert from "node:assert/strict";
import { expectedSum, ObjHolder, ObjReader, readObject } from "../_helpers/object_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";
import { JetStreamStore } from "../../mod.ts";
import { blobsOf } from "../../store/blobs.ts";

const on = (hostId: string) => ({ placement: { kind: "host" as const, hostId } });

Deno.test("object refs across processes: read anywhere, and lost with a reason, never hung", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server, agents: [, , doomed] } = await startServerAndAgents(cleanup, {
    cluster: "objects",
    agents: [{ hostId: "holder" }, { hostId: "reader" }, { hostId: "doomed" }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "objects", hosts: 4 });
  const holder = await driver.spawn(ObjHolder, on("holder"));
  const reader = await driver.spawn(ObjReader, on("reader"));
  const doomedReader = await driver.spawn(ObjReader, on("doomed"));
  // Under the server's default max_payload of 1 MiB until large envelopes are chunked.
  const length = 64 * 1024; // 256 KiB

  await t.step("a ref put on one host is read on two others and here", async () => {
    const obj = await holder.ask("put", { length });
    assert.equal(obj.hostId, "holder");
    const expected = { sum: expectedSum(length), length };
    assert.deepEqual(await reader.ask("read", obj), expected);
    assert.deepEqual(await doomedReader.ask("read", obj), expected);
    assert.deepEqual(await readObject(obj), expected);
    assert.deepEqual(await reader.ask("read", obj), expected, "read again from the host's copy");
  });

  await t.step("after a release every host's get fails with 'released'", async () => {
    const obj = await holder.ask("put", { length: 16 });
    assert.equal((await reader.ask("read", obj) as { length: number }).length, 16);
    await obj.release();
    assert.deepEqual(await readObject(obj), { lost: "released" });
    await waitFor(
      async () => "lost" in await reader.ask("read", obj),
      "the reader to hear of the release",
      15_000,
    );
    assert.deepEqual(await reader.ask("read", obj), { lost: "released" });
    assert.deepEqual(await doomedReader.ask("read", obj), { lost: "released" });
  });

  await t.step("after the owner actor stopped every get fails with 'owner-stopped'", async () => {
    const owner = await driver.spawn(ObjHolder, on("holder"));
    const obj = await owner.ask("put", { length: 16 });
    assert.equal((await reader.ask("read", obj) as { length: number }).length, 16);
    await driver.stop(owner);
    await waitFor(
      async () => "lost" in await reader.ask("read", obj),
      "the reader to hear of the owner's stop",
      15_000,
    );
    assert.deepEqual(await reader.ask("read", obj), { lost: "owner-stopped" });
    assert.deepEqual(await readObject(obj), { lost: "owner-stopped" });
  });

  await t.step(
    "after its host was killed (kill -9) a get fails with 'owner-host-lost'",
    async () => {
      const doomedHolder = await driver.spawn(ObjHolder, on("doomed"));
      const read = await doomedHolder.ask("put", { length: 16 });
      const unread = await doomedHolder.ask("put", { length: 16 });
      assert.equal((await reader.ask("read", read) as { length: number }).length, 16);
      await doomed.kill();
      // Until the host is declared lost a get may wait; then it fails at once.
      const result = await within(
        reader.ask("read", unread),
        30_000,
        "a get of the killed host's object",
      );
      assert.deepEqual(result, { lost: "owner-host-lost" });
      await waitFor(
        () => driver.hosts().find((h) => h.hostId === "doomed")?.state === "lost",
        "the driver to declare the host lost",
        30_000,
      );
      assert.deepEqual(await readObject(unread), { lost: "owner-host-lost" });
      // A host that read it before the kill drops its copy once it too declares the host lost.
      await waitFor(
        async () => "lost" in await reader.ask("read", read),
        "the reader to drop its copy with the lost host",
        30_000,
      );
      assert.deepEqual(await reader.ask("read", read), { lost: "owner-host-lost" });
    },
  );
});

Deno.test("a durable object in JetStream's object store outlives its owner's host (kill -9)", async () => {
  await using cleanup = new AsyncDisposableStack();
  const stateArgs = ["--state-bucket", "objstate"];
  const { server, agents: [doomed] } = await startServerAndAgents(cleanup, {
    cluster: "durable",
    jetstream: true,
    agents: [
      { hostId: "doomed", extraArgs: stateArgs },
      { hostId: "reader", extraArgs: stateArgs },
      { hostId: "other", extraArgs: stateArgs },
    ],
  });
  const store = await JetStreamStore.open({ servers: server.url, bucket: "objstate" });
  cleanup.defer(() => store.close());
  const driver = await startDriver(cleanup, server, {
    cluster: "durable",
    hosts: 4,
    system: { store },
  });
  const holder = await driver.spawn(ObjHolder, on("doomed"));
  const reader = await driver.spawn(ObjReader, on("reader"));
  const length = 300 * 1024; // 1.2 MiB: more than one message, in the object store's chunks
  const durable = await holder.ask("put", { length, durable: true });
  const plain = await holder.ask("put", { length: 16 });
  assert.equal(durable.durable, true);
  await doomed.kill();
  const expected = { sum: expectedSum(length), length };
  assert.deepEqual(await reader.ask("read", durable), expected);
  assert.deepEqual(await readObject(durable), expected);
  assert.deepEqual(
    await within(reader.ask("read", plain), 30_000, "the plain object's get"),
    { lost: "owner-host-lost" },
  );
  await durable.release();
  assert.deepEqual(await reader.ask("read", durable), { lost: "released" });
  assert.equal(await blobsOf(store)!.getBlob(`objects.${durable.id}`), undefined);
});
