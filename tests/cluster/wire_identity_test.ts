/**
 * Who speaks on the wire: every subject carries its sender's id, bodies that
 * name another sender are refused, replies count only from the host that was
 * asked, correlation ids cannot be guessed, and hosts of protocol 1 are
 * noticed once and never members.
 */

import assert from "node:assert/strict";
import { type Ask, defineActor } from "../../mod.ts";
import type { LogRecord } from "../../actors/observe/logger.ts";
import { BatchWriter, decodeBatch, encodeFrame, type Frame } from "../../cluster/codec.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { Counter } from "../_helpers/actors.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { waitFor } from "../_helpers/system.ts";

let release: (() => void) | undefined;

/** Answers `wait` only when the test releases it. */
const Gate = defineActor<{ wait: Ask<void, string> }, null>({
  type: "gate",
  init: () => null,
  asks: {
    wait: async (state) => {
      await new Promise<void>((resolve) => release = resolve);
      return { state, reply: "from the asked host" };
    },
  },
});

function batch(sender: string, frames: Frame[]): Uint8Array {
  const writer = new BatchWriter(sender);
  for (const frame of frames) writer.add(encodeFrame(frame));
  return writer.bytes();
}

/** Two hosts (`wi0`, `wi1`) on one bus, an outsider's connection, and a spy on the asks to wi1. */
async function pair(warnings: LogRecord[] = []) {
  const cluster = await startMemoryCluster([{}, {}], {
    name: "wi",
    system: { log: { level: "warn", sink: (r: LogRecord) => warnings.push(r) } },
  });
  const asks: Frame[] = [];
  const spy = cluster.bus.connect();
  spy.subscribe("actors.wi.wi0.to.wi1", (m) => {
    decodeBatch(m.data, 1 << 20, (s) => s, {
      sender: () => {},
      frame: (frame) => frame.kind === "ask" && asks.push(frame),
      reject: () => {},
    });
  });
  const outsider = cluster.bus.connect();
  const [a, b] = cluster.hosts;
  return {
    a,
    b,
    asks,
    outsider,
    shutdown: async () => {
      await spy.close();
      await outsider.close();
      await cluster.shutdown();
    },
  };
}

Deno.test("a batch whose header names another host than its subject is refused whole and counted", async () => {
  const { a, b, outsider, shutdown } = await pair();
  try {
    const counter = b.spawn(Counter, { name: "c" });
    const frame: Frame = { kind: "tell", to: counter.id, name: "add", body: 5 };
    // "I am wi0", says the header; the subject says the outsider sent it.
    outsider.publish("actors.wi.evil.to.wi1", batch(a.hostId, [frame]));
    outsider.publish("actors.wi.evil.to.wi1", batch("evil", [{ ...frame, body: 1 }]));
    await waitFor(() => b.transportStats()!.batchesReceived >= 2, "both batches");
    assert.equal(await counter.ask("get"), 1, "only the honest batch was handled");
    assert.equal(b.transportStats()!.rejected["sender-mismatch"], 1);
    // Seen from the other host too, in its inspection.
    const seen = (await a.inspect()).hosts.find((h) => h.hostId === b.hostId)!;
    assert.equal(seen.refused?.["sender-mismatch"], 1);
  } finally {
    await shutdown();
  }
});

Deno.test("a reply from a host that was not asked is ignored; the asked host's reply answers", async () => {
  const { a, b, asks, outsider, shutdown } = await pair();
  try {
    b.spawn(Gate, { name: "gate" });
    const gate = await a.spawn(Gate, {
      name: "gate-2",
      placement: { kind: "host", hostId: b.hostId },
    });
    const answer = gate.ask("wait");
    await waitFor(() => asks.length === 1 && release !== undefined, "the ask on the wire");
    const correlation = (asks[0] as Extract<Frame, { kind: "ask" }>).correlation;
    // The outsider knows the correlation id (it listens) and answers first, in its own name.
    outsider.publish(
      "actors.wi.evil.to.wi0",
      batch("evil", [{ kind: "reply", correlation, body: "forged" }]),
    );
    await waitFor(
      () => (a.transportStats()!.rejected["reply-from-other-host"] ?? 0) === 1,
      "the forged reply refused",
    );
    release!();
    assert.equal(await answer, "from the asked host");
  } finally {
    release?.();
    await shutdown();
  }
});

Deno.test("correlation ids are not a counter: each has 32 random low bits", async () => {
  const { a, b, asks, shutdown } = await pair();
  try {
    const counter = b.spawn(Counter, { name: "c" });
    const remote = a.resolveRef(counter.toJSON(), Counter);
    for (let i = 0; i < 40; i++) await remote.ask("get");
    const ids = asks.map((f) => (f as Extract<Frame, { kind: "ask" }>).correlation);
    assert.equal(ids.length, 40);
    assert.ok(ids.every((id) => Number.isSafeInteger(id) && id > 2 ** 32), String(ids));
    const low = new Set(ids.map((id) => id % 2 ** 32));
    assert.equal(low.size, 40, "no two share their random part");
    const steps = ids.slice(1).filter((id, i) => id - ids[i] === 1).length;
    assert.equal(steps, 0, "no id is its predecessor plus one");
  } finally {
    await shutdown();
  }
});

Deno.test("an announcement or a goodbye in another host's name changes nothing", async () => {
  const { a, b, outsider, shutdown } = await pair();
  try {
    const before = a.hosts().find((h) => h.hostId === b.hostId)!;
    outsider.publish(
      "actors.wi.evil.announce",
      packValue({ ...before, epoch: before.epoch + 1_000_000, labels: { evil: "1" } }),
    );
    outsider.publish("actors.wi.evil.leave", new TextEncoder().encode(b.hostId));
    // A marker after them, in the outsider's own name: delivered in publish order.
    outsider.publish("actors.wi.evil.discover", new Uint8Array(0));
    const counter = b.spawn(Counter, { name: "c" });
    const remote = a.resolveRef(counter.toJSON(), Counter);
    assert.equal(await remote.ask("get"), 0);
    const after = a.hosts().find((h) => h.hostId === b.hostId)!;
    assert.equal(after.state, "alive");
    assert.equal(after.epoch, before.epoch);
    assert.deepEqual(after.labels, before.labels);
    assert.equal(a.hosts().some((h) => h.hostId === "evil"), false);
  } finally {
    await shutdown();
  }
});

Deno.test("a host of protocol 1 is said once, by name, and never becomes a member", async () => {
  const warnings: LogRecord[] = [];
  const { a, outsider, shutdown } = await pair(warnings);
  try {
    // Protocol 1 announced on R.ctl.announce, its inbox on R.host.<id>.
    const old = packValue({
      hostId: "old-host",
      labels: {},
      actorCount: 0,
      mailboxDepth: 0,
      startedAtMs: 1,
      epoch: 1,
      inbox: "actors.wi.host.old-host",
      loopLagMs: 0,
      busy: false,
    });
    for (let i = 0; i < 5; i++) outsider.publish("actors.wi.ctl.announce", old);
    await waitFor(
      () => warnings.filter((w) => /old-host speaks protocol 1/.test(w.text)).length === 2,
      "one line on each host",
    );
    assert.match(warnings[0].text, /this host speaks 2: they exchange no messages/);
    assert.equal(a.hosts().some((h) => h.hostId === "old-host"), false);
  } finally {
    await shutdown();
  }
});

Deno.test("a spawn request that names another owner than its sender is refused", async () => {
  const { a, b, outsider, shutdown } = await pair();
  try {
    const answer = unpackValue(
      await outsider.request(
        "actors.wi.evil.ctl.wi1.spawn",
        packValue({ type: Counter.type, name: "stolen", owner: a.hostId }),
        5_000,
      ),
      () => undefined,
    ) as { ok: boolean; error?: { name: string; message: string } };
    assert.equal(answer.ok, false);
    assert.equal(answer.error?.name, "InvalidOptionError");
    assert.match(answer.error!.message, /owner/);
    assert.equal(b.lookup("stolen"), undefined);
  } finally {
    await shutdown();
  }
});

Deno.test("a heartbeat of a host that left, arriving late, does not bring it back", async () => {
  const warnings: LogRecord[] = [];
  const { a, b, outsider, shutdown } = await pair(warnings);
  try {
    const last = a.hosts().find((h) => h.hostId === b.hostId)!;
    await b.shutdown();
    await waitFor(
      () => a.hosts().find((h) => h.hostId === b.hostId)?.state === "left",
      "the goodbye heard",
    );
    // Its last heartbeat, delayed (a second connection may deliver it after the goodbye).
    outsider.publish(`actors.wi.${b.hostId}.announce`, packValue(last));
    outsider.publish("actors.wi.evil.discover", new Uint8Array(0));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(a.hosts().find((h) => h.hostId === b.hostId)?.state, "left");
    assert.deepEqual(warnings.filter((w) => /lost/.test(w.text)), []);
  } finally {
    await shutdown();
  }
});
