/**
 * Every error class that the public entry points export: its name, its code,
 * its `is()` guard and its cause. The classes are found by enumerating the
 * exports, so a new class without an entry in {@linkcode ARGUMENTS} fails here.
 */

import assert from "node:assert/strict";
import * as mod from "../../mod.ts";
import * as testing from "../../testing.ts";
import {
  ActorFailedError,
  ActorSystemError,
  AskTimeoutError,
  describeError,
  MailboxFullError,
} from "../../mod.ts";

/** Every public entry point: add a new one here. */
const ENTRY_POINTS = { "mod.ts": mod, "testing.ts": testing };

type Exported = typeof mod & typeof testing;
type ErrorClassName = {
  [K in keyof Exported]: Exported[K] extends abstract new (...args: never[]) => Error ? K
    : never;
}[keyof Exported];

/**
 * Constructor arguments for each exported error class, without the options
 * (the test appends `{ cause }` itself). The type makes a missing entry a
 * type error; the first test below makes it a failure too.
 */
const ARGUMENTS: {
  [K in ErrorClassName]: Exported[K] extends abstract new (...args: infer A) => Error ? A : never;
} = {
  ActorSystemError: ["the abstract base"],
  InvalidNameError: ["a b", "name", "spaces"],
  InvalidOptionError: ["timeoutMs", -1, "a positive number"],
  RequestTimeoutError: ["actors.x.host.h", 100],
  AskTimeoutError: ["h/1", "get", 10],
  AskAbortedError: ["h/1", "get"],
  ActorStoppedError: ["h/1", "get", "stopped normally"],
  ActorFailedError: ["h/1", "get"],
  ActorStartError: ["h/1", "stopped first"],
  UnknownActorError: ["h/1"],
  MailboxFullError: ["h/1", 3, "get"],
  DuplicateNameError: ["n", "h/1"],
  UnknownMessageError: ["t", "m"],
  MessageKindError: ["t", "m", "ask"],
  MessageValidationError: ["h/1", "t", "m", [{ path: "items[2].name", message: "Required" }]],
  InvalidHandlerResultError: ["t", "m"],
  ActorTypeMismatchError: ["h/1", "a", "b"],
  SystemStoppedError: ["h"],
  PlacementError: [{ kind: "host", hostId: "x" }, [{ hostId: "h", reason: "gone" }]],
  HostUnreachableError: ["h", "no heartbeat"],
  ObjectLostError: ["o1", "h", "released"],
  DuplicateChildIdError: ["c"],
  ChildStartError: ["h/1", "c"],
  RestartIntensityError: ["h/1", "c", 3, 5_000],
  StateConflictError: ["state.k", 4],
  StateDecodeError: ["state.k", "bad bytes"],
  StateEncodeError: ["state.x", "a Map"],
  DefinitionLoadError: ["h", "worker", "file:///w.ts", "not found"],
  ClusterConnectError: ["nats://127.0.0.1:1"],
  NameTakenError: ["leader", "h/1"],
  NoRespondersError: ["actors.x.host.h"],
  PayloadTooLargeError: ["a batch", 10, 5],
  TransportClosedError: ["closed"],
  RevisionConflictError: ["k", 2],
  StoreUnavailableError: ["file", "get", false],
  ValueTooLargeError: ["k", 10, 5],
  KeyInvalidError: ["a b", "spaces"],
  ExpectationTimeoutError: ["'done'", 5],
  NatsServerMissingError: ["nats-server"],
  UnexpectedMessageError: ["m"],
};

type ErrorClass = (new (...args: unknown[]) => Error) & {
  readonly code?: unknown;
  is?(err: unknown): boolean;
};

/** Every exported value that is Error or a subclass of it, once each, by export name. */
function exportedErrorClasses(): Map<string, ErrorClass> {
  const found = new Map<string, ErrorClass>();
  for (const [file, entry] of Object.entries(ENTRY_POINTS)) {
    for (const [name, value] of Object.entries(entry)) {
      if (typeof value !== "function") continue;
      if (value !== Error && !(value.prototype instanceof Error)) continue;
      const known = found.get(name);
      assert.ok(known === undefined || known === value, `${file} exports another ${name}`);
      found.set(name, value as unknown as ErrorClass);
    }
  }
  return found;
}

const classes = exportedErrorClasses();
const args = ARGUMENTS as Record<string, unknown[] | undefined>;

function build(name: string, options?: ErrorOptions): Error {
  const given = args[name];
  if (given === undefined) throw new Error(`no constructor arguments for ${name} in ARGUMENTS`);
  return new (classes.get(name)!)(...given, options);
}

Deno.test("the entry points export error classes, and each has constructor arguments in the table", () => {
  assert.ok(classes.size >= 30, `only ${classes.size} error classes found: ${[...classes.keys()]}`);
  const missing = [...classes.keys()].filter((name) => !(name in ARGUMENTS));
  assert.deepEqual(missing, [], `add constructor arguments for: ${missing.join(", ")}`);
  const stale = Object.keys(ARGUMENTS).filter((name) => !classes.has(name));
  assert.deepEqual(stale, [], `no longer exported: ${stale.join(", ")}`);
});

Deno.test("every exported error class has its own non-empty static code", () => {
  const owners = new Map<string, string>();
  for (const [name, Class] of classes) {
    assert.equal(typeof Class.code, "string", `${name}.code`);
    const code = Class.code as string;
    assert.ok(code.length > 0, `${name}.code is empty`);
    assert.equal(owners.get(code), undefined, `${name} and ${owners.get(code)} share '${code}'`);
    owners.set(code, name);
  }
});

for (const [name, Class] of classes) {
  Deno.test(`${name}: its name, its code, its is() guard and its cause`, () => {
    assert.equal(Class.name, name, "exported under its own name");
    assert.equal(typeof Class.is, "function", `${name}.is`);
    const err = build(name);
    assert.ok(err instanceof Class);
    assert.ok(err instanceof ActorSystemError, "every library error derives from ActorSystemError");
    assert.equal(err.name, name);
    assert.ok(err.message.length > 0, "a message");
    assert.equal((err as { code?: unknown }).code, Class.code, "the instance carries the code");

    assert.equal(Class.is!(err), true, "recognises its own instance");
    const rebuilt = Object.assign(new Error("from the wire"), { code: Class.code });
    assert.equal(Class.is!(rebuilt), true, "recognises a plain Error with its code");
    for (const other of classes.keys()) {
      if (other !== name && args[other] !== undefined) {
        assert.equal(Class.is!(build(other)), false, `rejects ${other}`);
      }
    }
    assert.equal(Class.is!(new Error("plain")), false, "rejects an Error without a code");
    assert.equal(Class.is!({ code: Class.code }), false, "rejects a non-Error with its code");
    assert.equal(Class.is!(undefined), false);

    const root = new Error("the underlying failure");
    const chained = build(name, { cause: root });
    assert.equal(chained.cause, root, "the cause is chained");
  });
}

Deno.test("errors keep their context fields and chain their cause", () => {
  const root = new Error("disk on fire");
  const err = new ActorFailedError("h/7", "save", { cause: root });
  assert.equal(err.cause, root);
  assert.equal(err.actorId, "h/7");
  assert.equal(err.messageName, "save");
  const timeout = new AskTimeoutError("h/7", "get", 250);
  assert.equal(timeout.timeoutMs, 250);
  assert.match(timeout.message, /250 ms/);
});

Deno.test("describeError turns any thrown value into plain data", () => {
  const info = describeError(new MailboxFullError("h/1", 3, "get"));
  assert.equal(info.name, "MailboxFullError");
  assert.equal(info.code, "mailbox_full");
  assert.match(info.stack ?? "", /MailboxFullError/);
  assert.deepEqual(describeError("just a string"), { name: "NonError", message: "just a string" });
  assert.deepEqual(describeError({ odd: 1 }), { name: "NonError", message: '{"odd":1}' });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(describeError(cyclic).name, "NonError");
});
