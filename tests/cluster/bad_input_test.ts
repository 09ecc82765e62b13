import assert from "node:assert/strict";
import { ActorSystem, type Ask, defineActor, type Tell } from "../../mod.ts";
import { MemoryBus } from "../../transport/memory_bus.ts";
import { BatchWriter, encodeFrame, PROTOCOL_VERSION } from "../../cluster/codec.ts";
import { Counter } from "../_helpers/actors.ts";
import { waitFor } from "../_helpers/system.ts";

const Keeper = defineActor<
  { keep: Tell<Record<string, unknown>>; kept: Ask<void, Record<string, unknown>> },
  Record<string, unknown>
>({
  type: "keeper",
  init: () => ({}),
  tells: { keep: (s, value) => ({ ...s, ...value }) },
  asks: { kept: (s) => ({ state: s, reply: s }) },
});

async function oneHost() {
  const bus = new MemoryBus({ maxPayloadBytes: 2 * 1024 * 1024 });
  const host = await ActorSystem.start({
    hostId: "target",
    logFailures: false,
    deadLetters: { logPerSecond: 0 },
    cluster: { name: "bad", transport: bus.connect(), maxInboundBytes: 1024 * 1024 },
  });
  const attacker = bus.connect();
  return { bus, host, attacker, inbox: "actors.bad.evil.to.target" };
}

function batch(frames: Uint8Array[], sender = "evil"): Uint8Array {
  const writer = new BatchWriter(sender);
  for (const frame of frames) writer.add(frame);
  return writer.bytes();
}

Deno.test("garbage, truncated, unknown-version and oversized batches are counted and dead-lettered; the host keeps serving", async () => {
  const { host, attacker, inbox } = await oneHost();
  try {
    const counter = host.spawn(Counter, { name: "c" });
    const valid = batch([encodeFrame({ kind: "tell", to: counter.id, name: "add", body: 1 })]);
    const inputs: [string, Uint8Array][] = [
      ["garbage", crypto.getRandomValues(new Uint8Array(300))],
      ["truncated", valid.subarray(0, valid.byteLength - 2)],
      ["unknown version", Uint8Array.from([PROTOCOL_VERSION + 41, ...valid.subarray(1)])],
      ["oversized", new Uint8Array(1024 * 1024 + 1).fill(PROTOCOL_VERSION)],
      ["empty", new Uint8Array(0)],
      [
        "bad frame length",
        Uint8Array.from([PROTOCOL_VERSION, 1, 65, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      ],
    ];
    for (const [, bytes] of inputs) attacker.publish(inbox, bytes);
    attacker.publish(inbox, valid);
    await waitFor(
      () => host.transportStats()!.batchesReceived === inputs.length + 1,
      "all batches",
    );
    // Counted when it arrives, handled in turn after the bad ones.
    await waitFor(() => counter.stats().handled >= 1, "the valid batch handled");
    assert.equal(await counter.ask("get"), 1, "the valid batch was still handled");
    const rejected = host.transportStats()!.rejected;
    assert.ok((rejected["unknown-version"] ?? 0) >= 1, JSON.stringify(rejected));
    assert.equal(rejected["too-large"], 1);
    assert.ok((rejected["truncated"] ?? 0) >= 2);
    const total = Object.values(rejected).reduce((a, b) => a + b, 0);
    assert.ok(
      total >= inputs.length - 1,
      `every bad input was counted (${JSON.stringify(rejected)})`,
    );
    assert.ok(
      host.deadLetters.recent().filter((l) => l.reason === "undecodable").length >=
        inputs.length - 1,
    );
  } finally {
    await attacker.close();
    await host.shutdown();
  }
});

Deno.test("a __proto__ or constructor payload changes no prototype and injects no field", async () => {
  const { host, attacker, inbox } = await oneHost();
  try {
    const keeper = host.spawn(Keeper, { name: "k" });
    const evil = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "fine": 1}',
    );
    attacker.publish(
      inbox,
      batch([encodeFrame({ kind: "tell", to: keeper.id, name: "keep", body: evil })]),
    );
    await waitFor(() => keeper.stats().handled === 1, "the message");
    const kept = await keeper.ask("kept");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
    assert.equal((kept as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(kept), Object.prototype);
    assert.equal(kept.fine, 1);
  } finally {
    await attacker.close();
    await host.shutdown();
  }
});

Deno.test("a publish with a wildcard token as sender or target is never handled by a host", async () => {
  const { host, attacker, inbox } = await oneHost();
  try {
    const counter = host.spawn(Counter, { name: "c" });
    const frame = batch([encodeFrame({ kind: "tell", to: counter.id, name: "add", body: 1 })]);
    attacker.publish(
      "actors.bad.*.to.target",
      batch([encodeFrame({ kind: "tell", to: counter.id, name: "add", body: 1 })], "*"),
    );
    attacker.publish("actors.bad.evil.to.*", frame);
    attacker.publish("actors.bad.evil.to.>", frame);
    // A marker to the real inbox, after them: the bus delivers in publish order.
    attacker.publish(
      inbox,
      batch([encodeFrame({ kind: "tell", to: counter.id, name: "add", body: 100 })]),
    );
    await waitFor(() => host.transportStats()!.batchesReceived === 2, "the marker batch");
    assert.equal(await counter.ask("get"), 100, "only the marker was handled");
    assert.deepEqual(host.transportStats()!.rejected, { "sender-mismatch": 1 });
  } finally {
    await attacker.close();
    await host.shutdown();
  }
});

Deno.test("actor ids with '.', '*', '>' or spaces never reach a subject", async () => {
  const { host, bus } = await oneHost();
  const seen: string[] = [];
  const spy = bus.connect();
  spy.subscribe(">", (m) => seen.push(m.subject));
  try {
    for (const id of ["a.b/1", "x*/1", "y>/1", "has space/1", "ok.*.>/2"]) {
      const ref = host.resolveRef({ $ref: id as never, type: "counter" }, Counter);
      ref.tell("add", 1);
      const err = await ref.ask("get").catch((e) => e);
      assert.equal(err.name, "UnknownActorError", id);
    }
    await host.flush();
    // Everything the host sent is on the bus before this marker, which the spy also gets.
    spy.publish("marker.end", new Uint8Array(1));
    await waitFor(() => seen.includes("marker.end"), "the marker");
    assert.ok(
      seen.every((s) => !/[ ]|\.\*|\*\.|>/.test(s.replace(/^actors\.bad\./, ""))),
      seen.join(", "),
    );
    assert.equal(host.deadLetters.recent().filter((l) => l.reason === "unknown-actor").length, 10);
  } finally {
    await spy.close();
    await host.shutdown();
  }
});
