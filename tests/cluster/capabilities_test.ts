/**
 * Capabilities: a host announces the additions to protocol 2 it reads
 * (chunked envelopes, object refs, trace fields), and a sender writes them
 * only to hosts that announced them. A host of an older version (simulated
 * here by a member that announces protocol 2 without a list, as the
 * protocol 1 simulation of wire_identity_test does) gets no chunked
 * envelope and no object ref: the send fails at once with a typed error
 * naming what it lacks, instead of stalling for 10 s; trace fields are left
 * out of what it is sent.
 */

import assert from "node:assert/strict";
import { type ActorRef, type Ask, defineActor, type Tell } from "../../mod.ts";
import type { ObjectRef } from "../../types.ts";
import { decodeBatch, type Frame, packValue } from "../../cluster/codec.ts";
import { HOST_CAPABILITIES } from "../../cluster/capabilities.ts";
import { recordSpans } from "../_helpers/recording_tracer.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { waitFor } from "../_helpers/system.ts";

type FarProtocol = { put: Tell<unknown>; take: Ask<unknown, string> };
/** The type of the far members' actors (they have none of their own: only frames are read). */
const Far = defineActor<FarProtocol, null>({
  type: "far",
  init: () => null,
  tells: { put: (s) => s },
  asks: { take: (s) => ({ state: s, reply: "taken" }) },
});

/** Passes a text on to a far actor from inside its own turn (a span, while tracing). */
const Relay = defineActor<{ pass: Tell<string> }, ActorRef<FarProtocol>, ActorRef<FarProtocol>>({
  type: "relay",
  init: (far) => far,
  tells: { pass: (far, text) => (far.tell("put", text), far) },
});

/**
 * One real host (`cap0`) on a memory bus, and two members that only
 * announce and record the frames sent to them: `old` announces no
 * capabilities (an older version), `new` announces this version's.
 */
async function cluster() {
  const { bus, hosts: [host], shutdown } = await startMemoryCluster([{}], { name: "cap" });
  const frames: Record<string, Frame[]> = { old: [], new: [] };
  const members = ["old", "new"].map((id) => {
    const connection = bus.connect();
    connection.subscribe(`actors.cap.*.to.${id}`, (m) => {
      decodeBatch(m.data, 1 << 20, (s) => s, {
        sender: () => {},
        frame: (frame) => void frames[id].push(frame),
        reject: () => {},
      });
    });
    const announce = () =>
      connection.publish(
        `actors.cap.${id}.announce`,
        packValue({
          hostId: id,
          labels: {},
          actorCount: 0,
          mailboxDepth: 0,
          startedAtMs: 1,
          epoch: 1,
          inbox: `actors.cap.*.to.${id}`,
          protocol: 2,
          loopLagMs: 0,
          busy: false,
          ...(id === "new" ? { capabilities: HOST_CAPABILITIES } : {}),
        }),
      );
    announce();
    const timer = setInterval(announce, 100);
    return { connection, timer };
  });
  await waitFor(
    () => host.hosts().filter((h) => h.state === "alive").length === 3,
    "the host to admit both members",
  );
  const far = (id: string) => host.resolveRef({ $ref: `${id}/1` as never, type: "far" }, Far);
  return {
    host,
    frames,
    far,
    shutdown: async () => {
      for (const { connection, timer } of members) {
        clearInterval(timer);
        await connection.close();
      }
      await shutdown();
    },
  };
}

const large = () => new Float32Array(512 * 1024); // 2 MiB: more than one 1 MiB batch

Deno.test("a large message to a host that does not read chunks fails at once, naming it", async () => {
  const { host, frames, far, shutdown } = await cluster();
  try {
    const started = Date.now();
    await assert.rejects(far("old").ask("take", large()), (err: Error & { code?: string }) => {
      assert.equal(err.code, "capability_missing");
      assert.match(err.message, /host old does not read 'chunks'/);
      return true;
    });
    assert.throws(() => far("old").tell("put", large()), /does not read 'chunks'/);
    const letters = host.deadLetters.recent().filter((d) => d.reason === "capability-missing");
    assert.equal(letters.length, 2, "the ask and the tell are dead letters naming the reason");
    assert.ok(Date.now() - started < 9_000, "no stall before it failed");
    // The same to a host that reads chunks starts a chunked envelope (frame 8).
    far("new").tell("put", large());
    await waitFor(() => frames.new.some((f) => f.kind === "chunkStart"), "frame 8 at 'new'");
    assert.equal(frames.old.some((f) => f.kind === "chunkStart"), false);
  } finally {
    await shutdown();
  }
});

Deno.test("an object ref to a host that does not read object refs fails at once, naming it", async () => {
  const { host, frames, far, shutdown } = await cluster();
  try {
    const obj: ObjectRef<number[]> = await host.put([1, 2, 3]);
    await assert.rejects(
      far("old").ask("take", { weights: obj }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "capability_missing");
        assert.match(err.message, /host old does not read 'object-refs'/);
        return true;
      },
    );
    assert.throws(() => far("old").tell("put", [obj]), /does not read 'object-refs'/);
    // Plain messages still go to it, and the ref goes to a host that reads it.
    far("old").tell("put", "plain");
    far("new").tell("put", obj);
    await waitFor(() => frames.old.some((f) => f.kind === "tell"), "the plain tell at 'old'");
    await waitFor(() => frames.new.some((f) => f.kind === "tell"), "the ref at 'new'");
    assert.deepEqual(
      frames.old.filter((f) => f.kind === "tell").map((f) => (f as { body: unknown }).body),
      ["plain"],
    );
  } finally {
    await shutdown();
  }
});

Deno.test("trace fields are left out of what a host that does not read them is sent", async () => {
  using _recorded = recordSpans();
  const { host, frames, far, shutdown } = await cluster();
  try {
    host.spawn(Relay, { args: far("old") }).tell("pass", "to old");
    host.spawn(Relay, { args: far("new") }).tell("pass", "to new");
    const tellTo = (id: string) =>
      frames[id].find((f) => f.kind === "tell") as Extract<Frame, { kind: "tell" }> | undefined;
    await waitFor(() => tellTo("old") !== undefined && tellTo("new") !== undefined, "both tells");
    assert.equal(tellTo("old")!.traceparent, undefined);
    assert.match(tellTo("new")!.traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  } finally {
    await shutdown();
  }
});
