/**
 * Fan-out of objects between hosts of one process on an in-memory bus
 * (which copies, as NATS does): readers that get one object at about the
 * same time share one transfer of it, and a reader that is slow to
 * subscribe to that transfer is left out and gets the value alone instead
 * of holding up the others.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { MemoryBus, MemoryTransport } from "../../transport/memory_bus.ts";
import { digestOf, ObjReader } from "../_helpers/object_defs.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";

/** A connection whose flushes wait while held: its subscriptions seem never to reach the server. */
class HeldFlushTransport extends MemoryTransport {
  #held: PromiseWithResolvers<void> | undefined;

  hold(): void {
    this.#held ??= Promise.withResolvers<void>();
  }

  release(): void {
    this.#held?.resolve();
    this.#held = undefined;
  }

  override async flush(): Promise<void> {
    if (this.#held !== undefined) await this.#held.promise;
    return super.flush();
  }
}

async function startHost(
  hostId: string,
  transport: MemoryTransport,
  fanout: { fanoutWindowMs?: number; fanoutReadyTimeoutMs?: number } = {},
): Promise<ActorSystem> {
  return await ActorSystem.start({
    hostId,
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "fan", transport, ...fanout },
  });
}

/** A Float32Array of `mib` MiB whose bytes differ from place to place. */
function valueOf(mib: number): Float32Array {
  const values = new Float32Array(mib * 256 * 1024);
  for (let i = 0; i < values.length; i++) values[i] = (i * 7919) % 1_000_003;
  return values;
}

Deno.test("a reader slow to subscribe is left out of the shared transfer and gets the value alone", async () => {
  await using cleanup = new AsyncDisposableStack();
  const bus = new MemoryBus({ maxPayloadBytes: 64 * 1024 });
  const slowLink = new HeldFlushTransport(bus);
  const holder = await startHost("holder", bus.connect(), {
    fanoutWindowMs: 50,
    fanoutReadyTimeoutMs: 200,
  });
  cleanup.defer(() => holder.shutdown());
  const fast = await startHost("fast", bus.connect());
  cleanup.defer(() => fast.shutdown());
  const slow = await startHost("slow", slowLink);
  cleanup.defer(() => slow.shutdown());
  // Before it shuts down: a shutdown flushes.
  cleanup.defer(() => slowLink.release());
  await waitFor(
    () => holder.hosts().filter((h) => h.state === "alive").length === 3,
    "the hosts to see each other",
    20_000,
  );
  const readers = await Promise.all(
    ["fast", "slow"].map((hostId) =>
      holder.spawn(ObjReader, { placement: { kind: "host", hostId } })
    ),
  );
  const value = valueOf(1);
  const expected = { digest: digestOf(new Uint8Array(value.buffer)), bytes: value.byteLength };
  const obj = await holder.put(value);
  const before = holder.transportStats()?.fanout;
  assert.ok(before !== undefined, "the holder counts its fan-out transfers");

  slowLink.hold();
  // The memory bus keeps no timer of its own alive while the holder waits for its readers.
  const results = await within(
    Promise.all(readers.map((reader) => reader.ask("digest", obj, { timeoutMs: 60_000 }))),
    60_000,
    "both reads",
  );

  assert.deepEqual(results, [expected, expected], "both readers got the value's bytes");
  const after = holder.transportStats()!.fanout!;
  assert.equal(after.transfers - before.transfers, 1, "one shared transfer");
  assert.equal(after.readers - before.readers, 1, "the fast reader alone was in it");
  assert.equal(after.unicast - before.unicast, 1, "the slow reader was left out of it");
  await waitFor(() => holder.transportStats()!.fanout!.open.out === 0, "the transfer to end");
});

Deno.test("readers whose gets arrive within the window share one transfer", async () => {
  await using cleanup = new AsyncDisposableStack();
  const bus = new MemoryBus({ maxPayloadBytes: 64 * 1024 });
  // A window far longer than the gets' spread: the test is about sharing, not timing.
  const holder = await startHost("holder", bus.connect(), { fanoutWindowMs: 2_000 });
  cleanup.defer(() => holder.shutdown());
  const ids = ["r1", "r2", "r3"];
  for (const id of ids) {
    const host = await startHost(id, bus.connect());
    cleanup.defer(() => host.shutdown());
  }
  await waitFor(
    () => holder.hosts().filter((h) => h.state === "alive").length === 4,
    "the hosts to see each other",
    20_000,
  );
  const readers = await Promise.all(
    ids.map((hostId) => holder.spawn(ObjReader, { placement: { kind: "host", hostId } })),
  );
  const value = valueOf(1);
  const expected = { digest: digestOf(new Uint8Array(value.buffer)), bytes: value.byteLength };
  const obj = await holder.put(value);
  const before = holder.transportStats()!.fanout!;

  const results = await Promise.all(
    readers.map((reader) => reader.ask("digest", obj, { timeoutMs: 60_000 })),
  );

  assert.deepEqual(results, [expected, expected, expected]);
  await waitFor(
    () => holder.transportStats()!.fanout!.delivered - before.delivered === 3,
    "the readers' last credit at the holder",
  );
  const after = holder.transportStats()!.fanout!;
  assert.equal(after.transfers - before.transfers, 1, "one transfer for the three readers");
  assert.equal(after.unicast - before.unicast, 0);
});
