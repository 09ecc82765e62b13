/**
 * Object refs from the wire (extension 0x4f): one written by a standard
 * encoder as docs/PROTOCOL.md says arrives as a working object ref; a
 * forged one that names nothing fails its get with a typed reason; a
 * malformed one is refused and counted, and the host serves on.
 */

import assert from "node:assert/strict";
import { encode, ExtData } from "npm:@msgpack/msgpack@3.1.3";
import { type Ask, defineActor, ObjectLostError } from "../../mod.ts";
import type { ObjectRef } from "../../types.ts";
import { PROTOCOL_VERSION } from "../../cluster/codec.ts";
import { waitFor } from "../_helpers/system.ts";
import { type RemotingHarness, remotingHarness } from "../_helpers/remoting_harness.ts";

const Getter = defineActor<{ get: Ask<ObjectRef<unknown>, unknown> }, null>({
  type: "getter",
  init: () => null,
  asks: {
    get: async (s, obj) => {
      try {
        return { state: s, reply: { value: await obj.get() } };
      } catch (err) {
        return { state: s, reply: { lost: ObjectLostError.is(err) ? err.reason : String(err) } };
      }
    },
  },
});

function receive(h: RemotingHarness, frame: Uint8Array): void {
  const header = [PROTOCOL_VERSION, 4, ..."peer"].map((c) =>
    typeof c === "string" ? c.charCodeAt(0) : c
  );
  const data = new Uint8Array(header.length + frame.byteLength);
  data.set(header);
  data.set(frame, header.length);
  h.remoting.receive({
    subject: "actors.wire.peer.to.here",
    data,
    reply: undefined,
    noResponders: false,
  });
}

Deno.test("an object ref written by a standard encoder reads the object it names", async () => {
  const h = remotingHarness();
  try {
    const getter = h.runtime.spawn(Getter as never, {} as never, undefined).ref;
    const obj = await h.runtime.objects.put({ n: 42 }, {}, undefined);
    const keeper = obj.toJSON().keeper;
    receive(
      h,
      encode([1, getter.id, "get", new ExtData(0x4f, encode([obj.id, keeper, false])), 1, 5000]),
    );
    assert.deepEqual(await h.next(1), [{
      kind: "reply",
      correlation: 1,
      body: { value: { n: 42 } },
    }]);
    receive(
      h,
      encode([1, getter.id, "get", new ExtData(0x4f, encode(["oforged", keeper, false])), 2, 5000]),
    );
    assert.deepEqual(await h.next(1), [{
      kind: "reply",
      correlation: 2,
      body: { lost: "not-found" },
    }]);
    assert.deepEqual(h.remoting.stats.rejected, {});
  } finally {
    await h.stop();
  }
});

Deno.test("malformed object refs are refused and counted, and the host serves on", async () => {
  const h = remotingHarness();
  try {
    const getter = h.runtime.spawn(Getter as never, {} as never, undefined).ref;
    const bad = [
      encode([1, 2]),
      encode(["o.x", "h1/0", false]),
      encode(["o1", "not an actor id", false]),
      encode(["o1", "h1/0", "yes"]),
      encode("o1"),
    ];
    for (const [i, payload] of bad.entries()) {
      receive(h, encode([1, getter.id, "get", new ExtData(0x4f, payload), i + 1, 5000]));
    }
    await waitFor(() => h.remoting.stats.rejected.undecodable === bad.length, "every refusal");
    assert.deepEqual(h.remoting.stats.rejected, { undecodable: bad.length });
    const obj = await h.runtime.objects.put("still here", {}, undefined);
    receive(
      h,
      encode([
        1,
        getter.id,
        "get",
        new ExtData(0x4f, encode([obj.id, obj.toJSON().keeper, false])),
        9,
        5000,
      ]),
    );
    const replies = await h.next(1);
    assert.deepEqual(replies.at(-1), {
      kind: "reply",
      correlation: 9,
      body: { value: "still here" },
    });
  } finally {
    await h.stop();
  }
});
