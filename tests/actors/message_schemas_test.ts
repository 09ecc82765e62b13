/**
 * Runtime schemas per message on one host: local messages are checked in
 * development mode (`validateMessages: "always"`) and not by default; a
 * payload that fails never reaches the handler, and the actor keeps running.
 */

import assert from "node:assert/strict";
import { z } from "npm:zod@4.6.7";
import {
  ActorSystem,
  type Ask,
  defineActor,
  InvalidOptionError,
  MessageValidationError,
  type Tell,
} from "../../mod.ts";
import type { DeadLetter, LogRecord, MessageSchemas } from "../../types.ts";
import type { UntypedRef } from "../../actors/ref.ts";
import { pathText } from "../../actors/_message_check.ts";
import { handSchema, Ledger } from "../_helpers/schema_defs.ts";
import { waitFor, withSystem } from "../_helpers/system.ts";

const untyped = (ref: unknown) => ref as UntypedRef;

Deno.test("by default a local tell is not checked: 'two' reaches the handler", async () => {
  await withSystem(async (system) => {
    const ledger = system.spawn(Ledger);
    untyped(ledger).tell("add", "two");
    assert.deepEqual(await ledger.ask("seen"), ["two"]);
    assert.equal(system.deadLetters.total, 0);
  });
});

Deno.test("in development mode a bad local ask rejects with MessageValidationError naming the message and path", async () => {
  await withSystem(async (system) => {
    const ledger = system.spawn(Ledger);
    const err = await untyped(ledger)
      .ask("order", { items: [{ name: "a", qty: 1 }, { name: 5, qty: 2 }] })
      .catch((e) => e);
    assert.ok(MessageValidationError.is(err), String(err));
    assert.equal(err.name, "MessageValidationError");
    assert.equal(err.code, "message_validation");
    assert.equal(err.actorId, ledger.id);
    assert.equal(err.actorType, "ledger");
    assert.equal(err.messageName, "order");
    assert.deepEqual(err.issues.map((i) => i.path), ["items[1].name"]);
    assert.match(err.message, /'order' to ledger actor .* failed its schema: items\[1\]\.name: /);
    assert.deepEqual(await ledger.ask("seen"), [], "the handler never ran");
    assert.equal(await ledger.ask("order", { items: [{ name: "b", qty: 3 }] }), 3);
    const letter = system.deadLetters.recent().at(-1);
    assert.equal(letter?.reason, "invalid-payload");
    assert.equal(letter?.kind, "ask");
    assert.equal(letter?.error?.code, "message_validation");
  }, { validateMessages: "always" });
});

Deno.test("in development mode a bad local tell is one dead letter and one log line, and the next messages are handled", async () => {
  const records: LogRecord[] = [];
  const system = await ActorSystem.start({
    validateMessages: "always",
    logFailures: false,
    log: { sink: (r) => void records.push(r) },
  });
  try {
    const letters: DeadLetter[] = [];
    system.deadLetters.subscribe((l) => void letters.push(l));
    const ledger = system.spawn(Ledger);
    untyped(ledger).tell("add", "two");
    ledger.tell("add", 3);
    assert.deepEqual(await ledger.ask("seen"), [3], "'two' never reached the handler");
    assert.equal(letters.length, 1);
    assert.equal(letters[0].reason, "invalid-payload");
    assert.equal(letters[0].kind, "tell");
    assert.equal(letters[0].payload, "two");
    assert.match(letters[0].error?.message ?? "", /'add' .* failed its schema: \(payload\): /);
    const stats = await ledger.stats();
    assert.equal(stats.status, "running");
    assert.equal(stats.restarts, 0, "a refused payload is not a failure");
    assert.equal(system.deaths.recent(10).length, 0);
    assert.deepEqual(records.map((r) => [r.level, /invalid-payload/.test(r.text)]), [
      ["warn", true],
    ]);
  } finally {
    await system.shutdown();
  }
});

Deno.test("the handler receives the schema's output: zod defaults and transforms", async () => {
  await withSystem(async (system) => {
    const ledger = system.spawn(Ledger);
    const items = [{ name: "a" }, { name: "b", qty: 4 }];
    assert.equal(await untyped(ledger).ask("order", { items }), 5, "qty defaulted to 1");
    ledger.tell("label", "  Hello World ");
    assert.deepEqual(await ledger.ask("seen"), [
      { items: [{ name: "a", qty: 1 }, { name: "b", qty: 4 }] },
      "hello world",
    ]);
  }, { validateMessages: "always" });
});

Deno.test("an async validator keeps the order of messages, also around unchecked ones", async () => {
  await withSystem(async (system) => {
    const ledger = system.spawn(Ledger);
    for (const n of [40, 30, 20, 10, 0]) {
      ledger.tell("slow", n);
      ledger.tell("plain", `after ${n}`);
    }
    untyped(ledger).tell("slow", "late");
    ledger.tell("add", 1);
    assert.deepEqual(await ledger.ask("seen"), [
      ...[40, 30, 20, 10, 0].flatMap((n) => [n, `after ${n}`]),
      1,
    ]);
    assert.equal(system.deadLetters.recent().at(-1)?.reason, "invalid-payload");
  }, { validateMessages: "always" });
});

Deno.test("a validator that throws refuses the payload, says so, and the actor keeps running", async () => {
  await withSystem(async (system) => {
    const ledger = system.spawn(Ledger);
    const err = await ledger.ask("fragile", -1).catch((e) => e);
    assert.ok(MessageValidationError.is(err), String(err));
    assert.match(
      err.message,
      /'fragile' .*: \(payload\): the schema's validator threw RangeError: negative input/,
    );
    assert.ok(err.cause instanceof RangeError);
    assert.equal(await ledger.ask("fragile", 2), 4);
    ledger.tell("fragileLater", -1);
    ledger.tell("fragileLater", 5);
    assert.deepEqual(await ledger.ask("seen"), [2, 5]);
    const letter = system.deadLetters.recent().at(-1);
    assert.equal(letter?.reason, "invalid-payload");
    assert.match(letter?.error?.message ?? "", /validator threw RangeError: negative later/);
    assert.equal((await ledger.stats()).restarts, 0);
  }, { validateMessages: "always" });
});

Deno.test("a validator that returns no result, or malformed issues, refuses the payload too", async () => {
  await withSystem(async (system) => {
    const Odd = defineActor<{ a: Ask<number, number>; b: Ask<number, number> }, null>({
      type: "odd-validators",
      init: () => null,
      schemas: {
        a: handSchema(() => undefined as never),
        b: handSchema(() => ({ issues: "bad" as never })),
      },
      asks: { a: (s, n) => ({ state: s, reply: n }), b: (s, n) => ({ state: s, reply: n }) },
    });
    const odd = system.spawn(Odd);
    const a = await odd.ask("a", 1).catch((e) => e);
    assert.ok(MessageValidationError.is(a), String(a));
    assert.match(a.message, /validator threw TypeError: validate returned undefined/);
    const b = await odd.ask("b", 1).catch((e) => e);
    assert.ok(MessageValidationError.is(b), String(b));
    assert.match(b.message, /the schema refused it: bad/);
    assert.equal((await odd.stats()).status, "running");
  }, { validateMessages: "always" });
});

Deno.test("timer messages to self are checked in development mode", async () => {
  await withSystem(async (system) => {
    const Ticker = defineActor<
      { go: Tell; tick: Tell<number>; seen: Ask<void, number[]> },
      number[]
    >({
      type: "ticker",
      init: () => [],
      schemas: { tick: z.number().positive() },
      tells: {
        go: (s, _, ctx) => {
          ctx.timers.once("bad", 0, "tick", -1);
          return s;
        },
        tick: (s, n) => [...s, n],
      },
      asks: { seen: (s) => ({ state: s, reply: s }) },
    });
    const ticker = system.spawn(Ticker);
    ticker.tell("go");
    await waitFor(() => system.deadLetters.total === 1, "the timer's dead letter", 10_000);
    assert.equal(system.deadLetters.recent()[0].reason, "invalid-payload");
    assert.deepEqual(await ticker.ask("seen"), []);
  }, { validateMessages: "always" });
});

Deno.test("defineActor refuses schemas for messages it has no handler for, and non-schemas", () => {
  type P = { add: Tell<number>; get: Ask<void, number> };
  const base = {
    type: "bad-schemas",
    init: () => 0,
    tells: { add: (n: number, by: number) => n + by },
    asks: { get: (n: number) => ({ state: n, reply: n }) },
  };
  const refused = (schemas: unknown, option: string) => {
    const err = (() => {
      try {
        defineActor<P, number>({ ...base, schemas: schemas as never });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(InvalidOptionError.is(err), `${option}: ${String(err)}`);
    assert.equal(err.option, option);
  };
  refused({ ad: z.number() }, "schemas.ad");
  refused({ add: (x: unknown) => x }, "schemas.add");
  refused({ get: { "~standard": {} } }, "schemas.get");
  refused(7, "schemas");
  defineActor<P, number>({ ...base, schemas: { add: z.number(), get: z.undefined() } });
  defineActor<P, number>({ ...base, schemas: { add: handSchema((v) => ({ value: Number(v) })) } });
});

Deno.test("a schema of the wrong type or for an unknown message does not type-check", () => {
  type P = { add: Tell<number> };
  const spec = { type: "typed-schemas", init: () => 0, tells: { add: (n: number) => n } };
  // @ts-expect-error: the schema's output is a string, the payload a number.
  const wrongType: MessageSchemas<P> = { add: z.string() };
  assert.ok(defineActor<P, number>({ ...spec, schemas: wrongType }), "only the types say no");
  assert.throws(
    () =>
      defineActor<P, number>({
        ...spec,
        // @ts-expect-error: the protocol has no message 'sub'.
        schemas: { sub: z.number() },
      }),
    InvalidOptionError,
  );
});

Deno.test("validateMessages accepts only 'remote' and 'always'", async () => {
  await assert.rejects(
    ActorSystem.start({ validateMessages: "sometimes" as never }),
    (err) => InvalidOptionError.is(err) && err.option === "validateMessages",
  );
});

Deno.test("issue paths read like JavaScript accessors", () => {
  const cases: [Parameters<typeof pathText>[0], string][] = [
    [undefined, ""],
    [[], ""],
    [["items", 2, "name"], "items[2].name"],
    [[{ key: "items" }, { key: 0 }], "items[0]"],
    [["a b", "ok"], '["a b"].ok'],
    [[Symbol("s")], "[Symbol(s)]"],
  ];
  for (const [path, text] of cases) assert.equal(pathText(path), text);
});
