import assert from "node:assert/strict";
import {
  type Ask,
  defineActor,
  InvalidOptionError,
  MailboxFullError,
  type Tell,
} from "../../mod.ts";
import {
  DEFAULT_MAILBOX_CAPACITY,
  DEFAULT_MAILBOX_MAX_BYTES,
  Mailbox,
} from "../../actors/mailbox.ts";
import { statsBundle } from "../../actors/observe/display.ts";

const inspectActor = (stats: Parameters<typeof statsBundle>[0], hostId: string) =>
  statsBundle(stats, hostId)["text/plain"];
import { waitFor, withSystem } from "../_helpers/system.ts";

/**
 * Holds its messages until released, so its mailbox fills up. `entered`
 * resolves when the first message's turn has begun (it has left the mailbox).
 */
function gated() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  let entered!: () => void;
  const first = new Promise<void>((resolve) => entered = resolve);
  const Gated = defineActor<{ item: Tell<number>; seen: Ask<void, number[]> }, number[]>({
    type: "gated",
    init: () => [],
    tells: {
      item: async (seen, n) => {
        entered();
        await gate;
        return [...seen, n];
      },
    },
    asks: { seen: (seen) => ({ state: seen, reply: seen }) },
  });
  return { Gated, release, entered: first };
}

Deno.test("the queue keeps FIFO order across ring-buffer growth and wrap-around", () => {
  const mailbox = new Mailbox<string, never>();
  const out: unknown[] = [];
  let next = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < round * 3 + 1; i++) mailbox.put("m", next++, undefined, 0);
    for (let i = 0; i < round * 2 && mailbox.length > 0; i++) {
      mailbox.take();
      out.push(mailbox.takenPayload);
    }
  }
  while (mailbox.length > 0) {
    mailbox.take();
    out.push(mailbox.takenPayload);
  }
  assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
});

Deno.test("the queue keeps FIFO order when it reclaims a long taken front", () => {
  const mailbox = new Mailbox<string, never>();
  const out: unknown[] = [];
  let next = 0;
  const drain = (n: number) => {
    for (let i = 0; i < n; i++) {
      mailbox.take();
      out.push(mailbox.takenPayload);
    }
  };
  for (let i = 0; i < 5_000; i++) mailbox.put("m", next++, undefined, 0);
  drain(4_000);
  for (let i = 0; i < 5_000; i++) mailbox.put("m", next++, undefined, 0);
  drain(3_000);
  assert.equal(mailbox.length, 3_000);
  drain(3_000);
  assert.equal(mailbox.length, 0);
  assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
});

Deno.test("runtime messages in the system lane are taken before every queued user message", () => {
  const mailbox = new Mailbox<string, never>();
  for (let i = 0; i < 3; i++) mailbox.put("user", i, undefined, 0);
  mailbox.putSystem("system", "a");
  mailbox.putSystem("system", "b");
  const out: unknown[] = [];
  while (!mailbox.isEmpty) out.push(`${mailbox.takeNext()} ${mailbox.takenPayload}`);
  assert.deepEqual(out, ["system a", "system b", "user 0", "user 1", "user 2"]);
});

Deno.test("length counts only user messages, and take() takes only user messages", () => {
  const mailbox = new Mailbox<string, never>();
  mailbox.putSystem("system", "signal");
  assert.equal(mailbox.length, 0);
  assert.equal(mailbox.systemLength, 1);
  assert.equal(mailbox.isEmpty, false);
  mailbox.put("user", 1, undefined, 0);
  assert.equal(mailbox.length, 1);
  assert.equal(mailbox.take(), "user");
  assert.equal(mailbox.takenPayload, 1);
  assert.equal(mailbox.systemLength, 1);
  assert.equal(mailbox.takeNext(), "system");
  assert.equal(mailbox.isEmpty, true);
});

Deno.test("mailboxes are bounded by count and bytes by default and say so in stats", async () => {
  await withSystem((system) => {
    const { Gated } = gated();
    const ref = system.spawn(Gated);
    assert.deepEqual(ref.stats().mailbox, {
      kind: "bounded",
      capacity: DEFAULT_MAILBOX_CAPACITY,
      maxBytes: DEFAULT_MAILBOX_MAX_BYTES,
      overflow: "reject",
      depth: 0,
      bytes: 0,
    });
    assert.match(inspectActor(ref.stats(), system.hostId), /bounded: 1048576 messages, 268435456/);
  });
});

Deno.test("the default mailbox refuses the tell past its count bound with MailboxFullError", async () => {
  const Counter = defineActor<{ add: Tell<number>; total: Ask<void, number> }, number>({
    type: "counter",
    init: () => 0,
    tells: { add: (total, n) => total + n },
    asks: { total: (total) => ({ state: total, reply: total }) },
  });
  await withSystem(async (system) => {
    const ref = system.spawn(Counter);
    // One synchronous loop: the actor gets no turn meanwhile, so every tell waits.
    for (let i = 0; i < DEFAULT_MAILBOX_CAPACITY; i++) ref.tell("add", 1);
    assert.throws(
      () => ref.tell("add", 1),
      (err: unknown) =>
        MailboxFullError.is(err) && err.limit === "messages" &&
        err.capacity === DEFAULT_MAILBOX_CAPACITY && /1048576 messages/.test(err.message) &&
        err.messageName === "add",
    );
    assert.deepEqual(system.deadLetters.recent().map((l) => l.reason), ["mailbox-full"]);
    await waitFor(() => ref.stats().mailbox.depth === 0, "the queued tells", 120_000);
    assert.equal(await ref.ask("total"), DEFAULT_MAILBOX_CAPACITY);
  });
});

Deno.test("the default mailbox refuses the tell past its bytes bound, naming the limit", async () => {
  await withSystem(async (system) => {
    const { Gated, release, entered } = gated();
    const ref = system.spawn(Gated);
    ref.tell("item", -1);
    await entered;
    // One 16 MiB buffer told again and again: each tell counts its bytes.
    const chunk = new Uint8Array(16 * 1024 * 1024);
    const Big = ref as unknown as { tell(name: string, payload: unknown): void };
    for (let i = 0; i < 16; i++) Big.tell("item", chunk);
    assert.equal(ref.stats().mailbox.bytes, DEFAULT_MAILBOX_MAX_BYTES);
    assert.throws(
      () => Big.tell("item", chunk),
      (err: unknown) =>
        MailboxFullError.is(err) && err.limit === "bytes" &&
        err.maxBytes === DEFAULT_MAILBOX_MAX_BYTES && /268435456 bytes/.test(err.message),
    );
    Big.tell("item", 7); // a message without counted bytes still fits
    assert.equal(ref.stats().mailbox.depth, 17);
    release();
  });
});

Deno.test("a system's mailbox option is the default of its actors, and strings count their length", async () => {
  await withSystem(async (system) => {
    const { Gated, release, entered } = gated();
    const ref = system.spawn(Gated) as unknown as {
      tell(name: string, payload: unknown): void;
      stats(): { mailbox: { bytes: number } };
    };
    ref.tell("item", -1);
    await entered;
    ref.tell("item", "x".repeat(600));
    assert.throws(() => ref.tell("item", "y".repeat(500)), MailboxFullError);
    ref.tell("item", "z".repeat(400));
    assert.equal(ref.stats().mailbox.bytes, 1_000);
    assert.throws(() => ref.tell("item", 1), MailboxFullError, "the count bound");
    release();
  }, { mailbox: { kind: "bounded", capacity: 2, maxBytes: 1_000 } });
});

Deno.test("a full bounded mailbox with 'reject' throws MailboxFullError at the sender", async () => {
  await withSystem(async (system) => {
    const { Gated, release, entered } = gated();
    const ref = system.spawn(Gated, { mailbox: { kind: "bounded", capacity: 2 } });
    ref.tell("item", 0);
    await entered; // 0 has left the mailbox for the (blocked) turn
    ref.tell("item", 1);
    ref.tell("item", 2);
    assert.throws(
      () => ref.tell("item", 3),
      (err: unknown) =>
        err instanceof MailboxFullError && err.capacity === 2 && err.messageName === "item",
    );
    const full = await ref.ask("seen").catch((e) => e);
    assert.ok(full instanceof MailboxFullError, "an ask is rejected the same way");
    assert.deepEqual(ref.stats().mailbox, {
      kind: "bounded",
      capacity: 2,
      maxBytes: DEFAULT_MAILBOX_MAX_BYTES,
      overflow: "reject",
      depth: 2,
      bytes: 0,
    });
    const letters = system.deadLetters.recent();
    assert.deepEqual(letters.map((l) => [l.reason, l.messageName, l.payload]), [
      ["mailbox-full", "item", 3],
      ["mailbox-full", "seen", undefined],
    ]);
    release();
    await waitFor(() => ref.stats().handled === 3, "the three items"); // room for the ask
    assert.deepEqual(await ref.ask("seen"), [0, 1, 2]);
  });
});

Deno.test("'drop-newest' drops the new message to the dead letters without throwing", async () => {
  await withSystem(async (system) => {
    const { Gated, release, entered } = gated();
    const ref = system.spawn(Gated, {
      mailbox: { kind: "bounded", capacity: 1, overflow: "drop-newest" },
    });
    ref.tell("item", 0);
    await entered;
    ref.tell("item", 1);
    ref.tell("item", 2);
    ref.tell("item", 3);
    assert.deepEqual(system.deadLetters.recent().map((l) => l.payload), [2, 3]);
    release();
    await waitFor(() => ref.stats().handled === 2, "the two kept items");
    assert.deepEqual(await ref.ask("seen"), [0, 1]);
  });
});

Deno.test("'drop-oldest' drops the oldest queued message and keeps the new one", async () => {
  await withSystem(async (system) => {
    const { Gated, release, entered } = gated();
    const ref = system.spawn(Gated, {
      mailbox: { kind: "bounded", capacity: 2, overflow: "drop-oldest" },
    });
    ref.tell("item", 0);
    await entered;
    for (let i = 1; i <= 5; i++) ref.tell("item", i);
    assert.deepEqual(system.deadLetters.recent().map((l) => l.payload), [1, 2, 3]);
    release();
    await waitFor(() => ref.stats().handled === 3, "the three kept items");
    assert.deepEqual(await ref.ask("seen"), [0, 4, 5]);
  });
});

Deno.test("the definition's mailbox is the default and a spawn option overrides it", async () => {
  const Bounded = defineActor<{ noop: Tell }, null>({
    type: "bounded",
    init: () => null,
    mailbox: { kind: "bounded", capacity: 10, overflow: "drop-newest" },
    tells: { noop: (s) => s },
  });
  await withSystem((system) => {
    assert.deepEqual(system.spawn(Bounded).stats().mailbox, {
      kind: "bounded",
      capacity: 10,
      maxBytes: DEFAULT_MAILBOX_MAX_BYTES,
      overflow: "drop-newest",
      depth: 0,
      bytes: 0,
    });
    assert.equal(
      system.spawn(Bounded, { mailbox: { kind: "unbounded" } }).stats().mailbox.kind,
      "unbounded",
    );
  });
});

Deno.test("invalid mailbox options are refused with InvalidOptionError", async () => {
  const { Gated } = gated();
  await withSystem((system) => {
    for (
      const mailbox of [
        { kind: "bounded", capacity: 0 },
        { kind: "bounded", capacity: -1 },
        { kind: "bounded", capacity: 1.5 },
        { kind: "bounded", capacity: Infinity },
        { kind: "bounded", capacity: 3, overflow: "explode" },
        { kind: "bounded", capacity: 3, maxBytes: 0 },
        { kind: "bounded", capacity: 3, maxBytes: Infinity },
        { kind: "huge" },
      ]
    ) {
      assert.throws(
        () => system.spawn(Gated, { mailbox: mailbox as never }),
        InvalidOptionError,
        JSON.stringify(mailbox),
      );
    }
    assert.equal(system.actorCount, 0, "nothing was spawned");
  });
});

Deno.test("the queue counts the bytes of the messages that have any, through growth and compaction", () => {
  const mailbox = new Mailbox<string, undefined>({
    kind: "bounded",
    capacity: 10_000,
    maxBytes: 50_000,
  });
  let expected = 0;
  const sizes: number[] = [];
  for (let i = 0; i < 5_000; i++) {
    const bytes = i % 3 === 0 ? 7 : 0;
    assert.ok(mailbox.fits(bytes));
    mailbox.put("m", i, undefined, bytes);
    sizes.push(bytes);
    expected += bytes;
  }
  assert.equal(mailbox.bytes, expected);
  for (let i = 0; i < 4_000; i++) {
    mailbox.take();
    expected -= sizes[i];
    if (i % 997 === 0) assert.equal(mailbox.bytes, expected, `after ${i + 1} taken`);
  }
  assert.equal(mailbox.bytes, expected);
  assert.equal(mailbox.fits(50_000 - expected), true);
  assert.equal(mailbox.fits(50_000 - expected + 1), false);
  assert.equal(mailbox.refusal("h/1", "m").limit, "bytes");
  while (mailbox.length > 0) mailbox.take();
  assert.equal(mailbox.bytes, 0);
  assert.equal(mailbox.fits(1e9), true, "an empty mailbox takes one message of any size");
});
