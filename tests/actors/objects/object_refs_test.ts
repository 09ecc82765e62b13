/**
 * Object refs on one host: `system.put` and `ctx.put` give refs whose `get`
 * returns the very value that was put (no copy, even for large typed
 * arrays), and whose life ends by release, by the owner's stop or by a
 * lease; a get after that fails at once with `ObjectLostError` and its reason.
 */

import assert from "node:assert/strict";
import {
  type Ask,
  defineActor,
  InvalidOptionError,
  ObjectLostError,
  type Tell,
} from "../../../mod.ts";
import type { ObjectRef } from "../../../types.ts";
import { withSystem, withVirtualSystem } from "../../_helpers/system.ts";

async function lostReason(obj: ObjectRef<unknown>): Promise<string> {
  const err = await obj.get().then(() => undefined, (e) => e);
  assert.ok(ObjectLostError.is(err), `expected ObjectLostError, got ${err}`);
  assert.equal(err.objectId, obj.id);
  return err.reason;
}

const Holder = defineActor<
  { put: Ask<number, ObjectRef<Float32Array>>; done: Tell },
  null
>({
  type: "object-holder",
  init: () => null,
  asks: {
    put: async (s, length, ctx) => ({ state: s, reply: await ctx.put(new Float32Array(length)) }),
  },
  tells: { done: (s, _, ctx) => (ctx.stopSelf(), s) },
});

Deno.test("a get on the host that put the value returns the value itself, not a copy", async () => {
  await withSystem(async (system) => {
    const big = new Float32Array(50 * 1024 * 1024); // 200 MiB
    big[big.length - 1] = 7;
    const obj = await system.put(big);
    assert.equal(await obj.get(), big);
    assert.equal(obj.hostId, system.hostId);
    assert.equal(obj.durable, false);
  });
});

Deno.test("plain objects and arrays put are frozen, deeply", async () => {
  await withSystem(async (system) => {
    const obj = await system.put({ rows: [[1, 2], [3]], meta: { name: "batch" } });
    const value = await obj.get();
    assert.ok(Object.isFrozen(value) && Object.isFrozen(value.rows[0]));
    assert.ok(Object.isFrozen(value.meta));
    assert.throws(() => (value.rows as number[][]).push([4]), TypeError);
  });
});

Deno.test("a released object fails every later get at once with reason 'released'", async () => {
  await withSystem(async (system) => {
    const obj = await system.put("x");
    await obj.release();
    assert.equal(await lostReason(obj), "released");
    await obj.release(); // twice does nothing
    assert.equal(await lostReason(obj), "released");
  });
});

Deno.test("an object put by an actor ends with that actor: reason 'owner-stopped'", async () => {
  await withSystem(async (system) => {
    const holder = system.spawn(Holder);
    const obj = await holder.ask("put", 4);
    assert.equal((await obj.get()).length, 4);
    const stopped = system.whenStopped(holder);
    holder.tell("done");
    await stopped;
    assert.equal(await lostReason(obj), "owner-stopped");
  });
});

Deno.test("an object put with a lease ends when it runs out: reason 'lease-expired'", async () => {
  await withVirtualSystem(async (system, clock) => {
    const obj = await system.put([1, 2, 3], { leaseMs: 5_000 });
    await clock.advance(4_000);
    assert.deepEqual(await obj.get(), [1, 2, 3]);
    await clock.advance(1_500);
    assert.equal(await lostReason(obj), "lease-expired");
  });
});

Deno.test("a lease that is not a positive number is refused", async () => {
  await withSystem(async (system) => {
    assert.throws(() => system.resolveObjectRef({ $object: "a.b" } as never), InvalidOptionError);
    for (const leaseMs of [0, -1, Infinity, NaN]) {
      await assert.rejects(system.put(1, { leaseMs }), InvalidOptionError);
    }
  });
});

Deno.test("a ref to an object this host never had fails with reason 'not-found'", async () => {
  await withSystem(async (system) => {
    const real = await system.put(1);
    const forged = system.resolveObjectRef({ ...real.toJSON(), $object: "onothere" });
    assert.equal(await lostReason(forged), "not-found");
  });
});

Deno.test("objects end when the system shuts down", async () => {
  let obj: ObjectRef<number> | undefined;
  await withSystem(async (system) => {
    obj = await system.put(1);
  });
  assert.equal(await lostReason(obj!), "owner-stopped");
});
