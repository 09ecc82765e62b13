/**
 * What a peer with a standard or a hostile MessagePack library sends a host:
 * values written as `docs/PROTOCOL.md` says are read and work, anything else
 * is refused at once, counted by reason, and the host keeps serving.
 */

import assert from "node:assert/strict";
import { encode, ExtData } from "npm:@msgpack/msgpack@3.1.3";
import { Packr } from "npm:msgpackr@2.1.3";
import { type ActorRef, type Ask, defineActor, type Tell } from "../../mod.ts";
import { PROTOCOL_VERSION } from "../../cluster/codec.ts";
import { type RemotingHarness, remotingHarness } from "../_helpers/remoting_harness.ts";
import { waitFor } from "../_helpers/system.ts";

const Box = defineActor<
  { put: Tell<number>; sum: Ask<void, number>; pass: Tell<{ to: ActorRef<never>; n: number }> },
  number
>({
  type: "box",
  init: () => 0,
  tells: {
    put: (n, x) => n + x,
    pass: (n, { to, n: x }) => {
      (to as unknown as { tell(name: string, n: number): void }).tell("put", x);
      return n;
    },
  },
  asks: { sum: (n) => ({ state: n, reply: n }) },
});

function spawnBox(h: RemotingHarness, name: string): { id: string } {
  return h.runtime.spawn(Box as never, { name } as never, undefined).ref;
}

/** Feeds the host one batch from "peer" whose frames are these bytes. */
function receive(h: RemotingHarness, ...frames: Uint8Array[]): void {
  const header = [PROTOCOL_VERSION, 4, ..."peer"].map((c) =>
    typeof c === "string" ? c.charCodeAt(0) : c
  );
  const data = new Uint8Array(header.length + frames.reduce((n, f) => n + f.byteLength, 0));
  data.set(header);
  let at = header.length;
  for (const f of frames) {
    data.set(f, at);
    at += f.byteLength;
  }
  h.remoting.receive({
    subject: "actors.wire.peer.to.here",
    data,
    reply: undefined,
    noResponders: false,
  });
}

let bomb: unknown = [1];
for (let i = 0; i < 25; i++) bomb = [bomb, bomb];

Deno.test("the shared-reference bomb told to an unknown name is refused at once, nothing bounces, the host serves on", async () => {
  const h = remotingHarness();
  try {
    const box = spawnBox(h, "box");
    const tell = new Packr({ structuredClone: true, useRecords: false }).pack([
      0,
      box.id,
      "nope",
      bomb,
    ]);
    assert.ok(tell.byteLength < 400, `${tell.byteLength} bytes`);
    receive(h, tell);
    assert.deepEqual(h.remoting.stats.rejected, { "unknown-extension": 1 });
    assert.equal(h.runtime.deadLetters.recent()[0].reason, "undecodable");
    receive(h, encode([1, box.id, "sum", null, 1, 1000]));
    assert.deepEqual(await h.next(1), [{ kind: "reply", correlation: 1, body: 0 }], "no frame 4");
  } finally {
    await h.stop();
  }
});

Deno.test("msgpackr records, bundled strings and the v1 ref layout are refused and counted", async () => {
  const h = remotingHarness();
  try {
    const box = spawnBox(h, "box");
    // Encoded before the first arrives: the three are handled in one stretch of work.
    const records = new Packr({ useRecords: true }).pack([0, box.id, "put", { a: 1, b: 2 }]);
    const long = "a string long enough to be bundled by msgpackr ".repeat(4);
    const bundled = new Packr({ bundleStrings: true, useRecords: false })
      .pack([0, box.id, "put", { long }]);
    const v1Ref = [0x94, 0x00, ...encode(box.id), ...encode("pass"), 0xd4, 0x41, 0x00];
    receive(h, records);
    receive(h, bundled);
    receive(h, Uint8Array.from(v1Ref));
    assert.deepEqual(h.remoting.stats.rejected, { "unknown-extension": 2, undecodable: 1 });
  } finally {
    await h.stop();
  }
});

Deno.test("a ref written by a standard encoder as documented arrives as a working ref", async () => {
  const h = remotingHarness();
  try {
    const relay = spawnBox(h, "relay");
    const target = spawnBox(h, "target");
    const ref = new ExtData(0x41, encode([target.id, "box", "target"]));
    receive(h, encode([0, relay.id, "pass", { to: ref, n: 7 }]));
    // The relay handles the tell in its own turn: ask the target until the forwarded 7 is there.
    let correlation = 1;
    await waitFor(async () => {
      receive(h, encode([1, target.id, "sum", null, ++correlation, 1000]));
      const [reply] = await h.next(1);
      return reply.kind === "reply" && reply.body === 7;
    }, "the relay told the target through the ref");
    assert.deepEqual(h.remoting.stats.rejected, {});
  } finally {
    await h.stop();
  }
});

Deno.test("an ask whose correlation id and timeout a peer wrote as uint 64 is answered with that id", async () => {
  const h = remotingHarness();
  try {
    const box = spawnBox(h, "box");
    const ask = encode([1n, box.id, "sum", null, 1700000000001n, 1000n], { useBigInt64: true });
    assert.ok(ask.includes(0xcf), "written with uint 64");
    receive(h, ask);
    assert.deepEqual(await h.next(1), [{ kind: "reply", correlation: 1700000000001, body: 0 }]);
  } finally {
    await h.stop();
  }
});
