import assert from "node:assert/strict";
import { MemoryBus } from "../../transport/memory_bus.ts";
import { subjectMatches } from "../../transport/subject_match.ts";
import { TransportClosedError } from "../../mod.ts";
import { transportSuite } from "./_suite.ts";

let bus = new MemoryBus();
transportSuite({
  name: "memory",
  connect: () => Promise.resolve(bus.connect()),
  reset: () => {
    bus = new MemoryBus();
    return Promise.resolve();
  },
});

Deno.test("subject matching follows NATS: '*' is one token, '>' one or more at the end", () => {
  const cases: [string, string, boolean][] = [
    ["a.b", "a.b", true],
    ["a.*", "a.b", true],
    ["a.*", "a.b.c", false],
    ["a.>", "a.b.c", true],
    ["a.>", "a", false],
    ["a.b", "a.*", false],
    ["a.*.c", "a.x.c", true],
    [">", "anything.at.all", true],
  ];
  for (const [pattern, subject, expected] of cases) {
    assert.equal(subjectMatches(pattern, subject), expected, `${pattern} ~ ${subject}`);
  }
});

Deno.test("a memory transport can be disconnected and reconnected, and reports it", async () => {
  const local = new MemoryBus();
  const a = local.connect();
  const seen: string[] = [];
  a.onStatus((s) => seen.push(s));
  a.setConnected(false);
  assert.throws(() => a.publish("x", new Uint8Array(1)), TransportClosedError);
  a.setConnected(true);
  a.publish("x", new Uint8Array(1));
  await a.close();
  assert.deepEqual(seen, ["disconnected", "connected", "closed"]);
});

Deno.test("the bus counts one delivery per subscriber a message reaches, none for a message nobody hears", () => {
  const counted = new MemoryBus();
  const [a, b, c] = [counted.connect(), counted.connect(), counted.connect()];
  a.subscribe("x.*", () => {});
  b.subscribe("x.y", () => {});
  c.publish("x.y", new Uint8Array(1));
  c.publish("nobody", new Uint8Array(1));
  assert.equal(counted.routed, 2);
});
