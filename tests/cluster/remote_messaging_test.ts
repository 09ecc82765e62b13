import assert from "node:assert/strict";
import {
  ActorFailedError,
  type ActorRef,
  type Ask,
  defineActor,
  HostUnreachableError,
  PayloadTooLargeError,
  type Tell,
  UnknownActorError,
} from "../../mod.ts";
import { Counter, Recorder } from "../_helpers/actors.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { waitFor } from "../_helpers/system.ts";

Deno.test("hosts discover each other with their labels", async () => {
  const { hosts, shutdown } = await startMemoryCluster([{ gpu: "1" }, { gpu: "0" }, {}]);
  try {
    const seen = hosts[0].hosts().map((h) => [h.hostId, h.labels, h.state, h.self]);
    assert.deepEqual(seen, [
      ["m0", { gpu: "1" }, "alive", true],
      ["m1", { gpu: "0" }, "alive", false],
      ["m2", {}, "alive", false],
    ]);
  } finally {
    await shutdown();
  }
});

Deno.test("tell and ask reach an actor on another host like a local one", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const counter = await a.spawn(Counter, { placement: { kind: "host", hostId: b.hostId } });
    assert.equal((await counter.stats()).status, "running");
    assert.ok(counter.id.startsWith(`${b.hostId}/`));
    counter.tell("add", 40);
    counter.tell("add", 2);
    assert.equal(await counter.ask("get"), 42);
    assert.equal(b.actorCount, 1);
    assert.equal(a.actorCount, 0);
  } finally {
    await shutdown();
  }
});

Deno.test("messages from one sender to a remote actor arrive in order under load", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const recorder = await a.spawn(Recorder, { placement: { kind: "host", hostId: b.hostId } });
    for (let i = 0; i < 20_000; i++) recorder.tell("record", i);
    // Generous: 20,000 tells on a machine other test files load too.
    const log = await recorder.ask("all", undefined, { timeoutMs: 120_000 });
    assert.deepEqual(log, Array.from({ length: 20_000 }, (_, i) => i));
    const stats = a.transportStats()!;
    assert.ok(stats.batchesSent < 200, `20000 tells went in ${stats.batchesSent} batches`);
  } finally {
    await shutdown();
  }
});

Deno.test("a ref inside a message arrives as a working ref on the other host", async () => {
  type ReplyProtocol = { hello: Tell<string>; heard: Ask<void, string[]> };
  const Listener = defineActor<ReplyProtocol, string[]>({
    type: "listener",
    init: () => [],
    tells: { hello: (s, text) => [...s, text] },
    asks: { heard: (s) => ({ state: s, reply: s }) },
  });
  const Greeter = defineActor<{ greet: Tell<{ to: ActorRef<ReplyProtocol>; from: string }> }, null>(
    {
      type: "greeter",
      init: () => null,
      tells: {
        greet: (s, { to, from }, ctx) => {
          to.tell("hello", `hi ${from}, from ${ctx.self.id}`);
          return s;
        },
      },
    },
  );
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const listener = a.spawn(Listener);
    const greeter = await a.spawn(Greeter, { placement: { kind: "host", hostId: b.hostId } });
    greeter.tell("greet", { to: listener, from: "a" });
    await waitFor(() => listener.stats().handled > 0, "the reply to arrive");
    const [text] = await listener.ask("heard");
    assert.equal(text, `hi a, from ${greeter.id}`);
  } finally {
    await shutdown();
  }
});

Deno.test("an ask to an unknown actor on a live host rejects fast with UnknownActorError", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const ghost = a.resolveRef({ $ref: `${b.hostId}/zz` as never, type: "counter" }, Counter);
    const err = await ghost.ask("get", undefined, { timeoutMs: 60_000 }).catch((e) => e);
    assert.ok(UnknownActorError.is(err), String(err));
    assert.equal((err as { remoteHost?: string }).remoteHost, b.hostId);
  } finally {
    await shutdown();
  }
});

Deno.test("a tell to an unknown actor on a live host becomes a dead letter on the sending host", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const ghost = a.resolveRef({ $ref: `${b.hostId}/zz` as never, type: "counter" }, Counter);
    ghost.tell("add", 7);
    await waitFor(() => a.deadLetters.total > 0, "the dead letter");
    const [letter] = a.deadLetters.recent();
    assert.equal(letter.reason, "unknown-actor");
    assert.equal(letter.payload, 7);
    assert.equal(letter.target.id, `${b.hostId}/zz`);
  } finally {
    await shutdown();
  }
});

Deno.test("asks and tells to a host that left fail fast, not after the timeout", async () => {
  const { hosts: [a, b, c], shutdown } = await startMemoryCluster([{}, {}, {}]);
  try {
    const counter = await a.spawn(Counter, { placement: { kind: "host", hostId: b.hostId } });
    assert.equal(await counter.ask("get"), 0);
    await b.shutdown();
    const started = Date.now();
    const err = await counter.ask("get", undefined, { timeoutMs: 60_000 }).catch((e) => e);
    assert.ok(HostUnreachableError.is(err), String(err));
    assert.ok(Date.now() - started < 5_000);
    counter.tell("add", 1);
    await waitFor(
      () => a.deadLetters.recent().some((l) => l.reason === "host-unreachable"),
      "a dead letter",
    );
    assert.equal(c.hosts().length, 3);
  } finally {
    await a.shutdown();
    await c.shutdown();
    await shutdown();
  }
});

Deno.test("a message larger than a batch arrives whole in chunks; one over the message limit is refused at the sender before anything is published", async () => {
  const MiB = 1024 * 1024;
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}], {
    cluster: { maxMessageBytes: 3 * MiB },
  });
  try {
    const recorder = await a.spawn(Recorder, { placement: { kind: "host", hostId: b.hostId } });
    recorder.tell("record", new Uint8Array(2 * MiB).fill(7));
    const [got] = await recorder.ask("all", undefined, { timeoutMs: 60_000 }) as Uint8Array[];
    assert.equal(got.byteLength, 2 * MiB);
    assert.equal(got[2 * MiB - 1], 7);
    await a.flush();
    const before = a.transportStats()!.batchesSent;
    assert.throws(
      () => recorder.tell("record", new Uint8Array(4 * MiB)),
      PayloadTooLargeError,
    );
    await assert.rejects(
      recorder.ask("all", new Uint8Array(4 * MiB) as never),
      PayloadTooLargeError,
    );
    await a.flush();
    assert.equal(a.transportStats()!.batchesSent, before);
    assert.equal(a.deadLetters.recent().filter((l) => l.reason === "too-large").length, 2);
  } finally {
    await shutdown();
  }
});

Deno.test("typed arrays travel as bytes and come back as typed arrays", async () => {
  const Sum = defineActor<{ sum: Ask<Float32Array, { total: number; kind: string }> }, null>({
    type: "sum",
    init: () => null,
    asks: {
      sum: (s, values) => ({
        state: s,
        reply: { total: values.reduce((a, b) => a + b, 0), kind: values.constructor.name },
      }),
    },
  });
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const sum = await a.spawn(Sum, { placement: { kind: "host", hostId: b.hostId } });
    assert.deepEqual(await sum.ask("sum", new Float32Array([1.5, 2.5, 3])), {
      total: 7,
      kind: "Float32Array",
    });
  } finally {
    await shutdown();
  }
});

Deno.test("two clusters on one bus never see each other", async () => {
  const first = await startMemoryCluster([{}, {}], { name: "alpha" });
  const second = await startMemoryCluster([{}], { bus: first.bus, name: "beta" });
  const spy = first.bus.connect();
  try {
    // beta0 announced itself while it started; the bus delivers in publish order, so once
    // this later marker has arrived, alpha has had every chance to hear beta0.
    let marked = false;
    spy.subscribe("test.marker", () => marked = true);
    spy.publish("test.marker", new Uint8Array(1));
    await waitFor(() => marked, "the marker");
    assert.deepEqual(first.hosts[0].hosts().map((h) => h.hostId), ["alpha0", "alpha1"]);
    assert.deepEqual(second.hosts[0].hosts().map((h) => h.hostId), ["beta0"]);
    await assert.rejects(
      first.hosts[0].spawn(Counter, { placement: { kind: "host", hostId: "beta0" } }),
      (err: Error) => err.name === "PlacementError",
    );
  } finally {
    await spy.close();
    await first.shutdown();
    await second.shutdown();
  }
});

Deno.test("when a host's inbox vanishes without a goodbye, sends to it bounce and fail fast", async () => {
  const { ActorSystem } = await import("../../mod.ts");
  const { MemoryBus } = await import("../../transport/memory_bus.ts");
  const bus = new MemoryBus();
  const quiet = { logFailures: false, deadLetters: { logPerSecond: 0 } };
  const a = await ActorSystem.start({
    ...quiet,
    hostId: "a",
    cluster: { name: "c", transport: bus.connect() },
  });
  const bTransport = bus.connect();
  const b = await ActorSystem.start({
    ...quiet,
    hostId: "b",
    cluster: { name: "c", transport: bTransport },
  });
  try {
    await waitFor(() => a.hosts().length === 2, "a to see b");
    const counter = await a.spawn(Counter, { placement: { kind: "host", hostId: "b" } });
    assert.equal(await counter.ask("get"), 0);
    await bTransport.close(); // like a crash: no leave message, the inbox is just gone
    counter.tell("add", 5);
    const err = await counter.ask("get", undefined, { timeoutMs: 60_000 }).catch((e) => e);
    assert.ok(HostUnreachableError.is(err), String(err));
    await waitFor(
      () => a.deadLetters.recent().some((l) => l.reason === "host-unreachable"),
      "the dead letter",
    );
    const letter = a.deadLetters.recent().find((l) => l.messageName === "add")!;
    assert.equal(letter.payload, 5);
    assert.equal(a.hosts().find((h) => h.hostId === "b")?.state, "unreachable");
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});

Deno.test("traffic between actors of one host never touches the transport", async () => {
  const { hosts: [a], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const before = a.transportStats()!;
    const recorder = a.spawn(Recorder);
    for (let i = 0; i < 1_000; i++) recorder.tell("record", i);
    assert.equal((await recorder.ask("all")).length, 1_000);
    const after = a.transportStats()!;
    assert.equal(after.batchesSent, before.batchesSent);
  } finally {
    await shutdown();
  }
});

Deno.test("system.stop of a remote ref stops the actor on its host", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const counter = await a.spawn(Counter, {
      name: "far",
      placement: { kind: "host", hostId: "m1" },
    });
    assert.equal(await counter.ask("get"), 0);
    await a.stop(counter);
    assert.equal(b.lookup("far"), undefined, "stopped on its host");
    assert.equal(b.deaths.last(counter)?.kind, "stopped");
    await assert.rejects(counter.ask("get"), (err: Error) => err.name === "ActorStoppedError");
  } finally {
    await shutdown();
  }
});

Deno.test("a remote ask whose handler throws fails with ActorFailedError carrying what it threw", async () => {
  class PoisonError extends Error {
    override name = "PoisonError";
  }
  const Fragile = defineActor<{ eat: Ask<number, number> }, null>({
    type: "fragile",
    init: () => null,
    asks: {
      eat: (state, n) => {
        if (n === 13) throw new PoisonError("13 is poison");
        return { state, reply: n };
      },
    },
  });
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const fragile = await a.spawn(Fragile, { placement: { kind: "host", hostId: b.hostId } });
    const err = await fragile.ask("eat", 13).catch((e) => e as Error);
    assert.ok(ActorFailedError.is(err), String(err));
    const cause = err.cause as Error;
    assert.equal(cause.name, "PoisonError");
    assert.equal(cause.message, "13 is poison");
  } finally {
    await shutdown();
  }
});
