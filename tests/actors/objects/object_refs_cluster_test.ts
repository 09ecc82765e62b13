/**
 * Object refs between hosts of one process (memory bus): a ref sent inside
 * a message reads the value from its holder once per reading host; a
 * release or the owner's stop reaches the hosts that read it; a get of a
 * ref nobody holds fails with a typed reason, never a hang.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor, ObjectLostError, type Tell } from "../../../mod.ts";
import type { ObjectRef } from "../../../types.ts";
import { Keeper } from "../../../actors/objects/keeper.ts";
import { startMemoryCluster } from "../../_helpers/cluster.ts";
import { waitFor } from "../../_helpers/system.ts";

/** Reads objects sent to it; answers with their sum, or the lost reason. */
const Reader = defineActor<{ sum: Ask<ObjectRef<Float32Array>, number | string> }, null>({
  type: "object-reader",
  init: () => null,
  asks: {
    sum: async (s, obj) => {
      try {
        return { state: s, reply: (await obj.get()).reduce((a, b) => a + b, 0) };
      } catch (err) {
        return { state: s, reply: ObjectLostError.is(err) ? err.reason : String(err) };
      }
    },
  },
});

const Putter = defineActor<{ put: Ask<number[], ObjectRef<Float32Array>>; quit: Tell }, null>({
  type: "object-putter",
  init: () => null,
  asks: { put: async (s, xs, ctx) => ({ state: s, reply: await ctx.put(new Float32Array(xs)) }) },
  tells: { quit: (s, _, ctx) => (ctx.stopSelf(), s) },
});

Deno.test("object refs travel between hosts and keep their lifetimes", async (t) => {
  const { hosts: [owner, a, b], shutdown } = await startMemoryCluster([{}, {}, {}]);
  try {
    const readerOn = (hostId: string) =>
      owner.spawn(Reader, { placement: { kind: "host", hostId } });
    const [a1, a2, b1] = await Promise.all([
      readerOn(a.hostId),
      readerOn(a.hostId),
      readerOn(b.hostId),
    ]);

    await t.step("a ref read on other hosts gives the value, fetched once per host", async () => {
      const obj = await owner.put(new Float32Array([1, 2, 3, 4]));
      const sums = await Promise.all([a1.ask("sum", obj), a2.ask("sum", obj), b1.ask("sum", obj)]);
      assert.deepEqual(sums, [10, 10, 10]);
      assert.equal(await a1.ask("sum", obj), 10);
      const keeper = owner.resolveRef(
        { $ref: obj.toJSON().keeper as never, type: Keeper.type },
        Keeper,
      );
      // One fetch from each of the two reading hosts.
      assert.equal((await keeper.stats()).handled, 2);
    });

    await t.step("a release reaches the hosts that read the object", async () => {
      const obj = await owner.put(new Float32Array([5]));
      assert.equal(await b1.ask("sum", obj), 5);
      await obj.release();
      await waitFor(
        async () => (await b1.ask("sum", obj)) === "released",
        "the reader to see it released",
      );
      assert.equal(await a1.ask("sum", obj), "released");
    });

    await t.step(
      "an object of an actor that stopped is lost with reason 'owner-stopped'",
      async () => {
        const putter = await owner.spawn(Putter, { placement: { kind: "host", hostId: a.hostId } });
        const obj = await putter.ask("put", [1, 1]);
        assert.equal(await b1.ask("sum", obj), 2);
        putter.tell("quit");
        await owner.whenStopped(putter);
        await waitFor(
          async () => (await b1.ask("sum", obj)) === "owner-stopped",
          "owner-stopped on b",
        );
        assert.equal(await a1.ask("sum", obj), "owner-stopped");
      },
    );

    await t.step("a ref whose id its holder never had fails with 'not-found'", async () => {
      const real = await owner.put(new Float32Array([1]));
      // Same keeper, an id it never held: made by hand, as a forger would.
      const fake =
        new (real.constructor as new (s: unknown, a: unknown) => ObjectRef<Float32Array>)(
          { $object: "onotherebutwellformed", keeper: real.toJSON().keeper, durable: false },
          { get: () => Promise.reject(new Error("unused")), release: () => Promise.resolve() },
        );
      assert.equal(await b1.ask("sum", fake), "not-found");
    });
  } finally {
    await shutdown();
  }
});
