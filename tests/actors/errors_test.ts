import assert from "node:assert/strict";
import {
  ActorFailedError,
  ActorStoppedError,
  ActorSystemError,
  ActorTypeMismatchError,
  AskAbortedError,
  AskTimeoutError,
  describeError,
  DuplicateChildIdError,
  DuplicateNameError,
  ExpectationTimeoutError,
  InvalidHandlerResultError,
  InvalidNameError,
  InvalidOptionError,
  KeyInvalidError,
  MailboxFullError,
  MessageKindError,
  NatsServerMissingError,
  RestartIntensityError,
  RevisionConflictError,
  StateConflictError,
  StateDecodeError,
  StateEncodeError,
  StoreUnavailableError,
  SystemStoppedError,
  UnexpectedMessageError,
  UnknownActorError,
  UnknownMessageError,
  ValueTooLargeError,
} from "../../mod.ts";

const cases: [ActorSystemError, string, string][] = [
  [new AskTimeoutError("h/1", "get", 10), "AskTimeoutError", "ask_timeout"],
  [new AskAbortedError("h/1", "get"), "AskAbortedError", "ask_aborted"],
  [new ActorStoppedError("h/1", "get"), "ActorStoppedError", "actor_stopped"],
  [new ActorFailedError("h/1", "get"), "ActorFailedError", "actor_failed"],
  [new UnknownActorError("h/1"), "UnknownActorError", "unknown_actor"],
  [new MailboxFullError("h/1", 3, "get"), "MailboxFullError", "mailbox_full"],
  [new DuplicateNameError("n", "h/1"), "DuplicateNameError", "duplicate_name"],
  [new InvalidNameError("a b", "name", "why"), "InvalidNameError", "invalid_name"],
  [new InvalidOptionError("x", 1, "y"), "InvalidOptionError", "invalid_option"],
  [new UnknownMessageError("t", "m"), "UnknownMessageError", "unknown_message"],
  [new MessageKindError("t", "m", "ask"), "MessageKindError", "message_kind"],
  [new InvalidHandlerResultError("t", "m"), "InvalidHandlerResultError", "invalid_handler_result"],
  [new SystemStoppedError("h"), "SystemStoppedError", "system_stopped"],
  [new ActorTypeMismatchError("h/1", "a", "b"), "ActorTypeMismatchError", "actor_type_mismatch"],
  [new ExpectationTimeoutError("x", 5), "ExpectationTimeoutError", "expectation_timeout"],
  [new UnexpectedMessageError("m"), "UnexpectedMessageError", "unexpected_message"],
  [new DuplicateChildIdError("c"), "DuplicateChildIdError", "duplicate_child_id"],
  [new RestartIntensityError("h/1", "c", 3, 5000), "RestartIntensityError", "restart_intensity"],
  [new NatsServerMissingError("nats-server"), "NatsServerMissingError", "nats_server_missing"],
  [new StateConflictError("state.k", 4), "StateConflictError", "state_conflict"],
  [new StateDecodeError("state.k", "bad"), "StateDecodeError", "state_decode"],
  [new StateEncodeError("state.x", "a Map"), "StateEncodeError", "state_encode"],
  [new RevisionConflictError("k", 2), "RevisionConflictError", "revision_conflict"],
  [new StoreUnavailableError("file", "get", false), "StoreUnavailableError", "store_unavailable"],
  [new ValueTooLargeError("k", 10, 5), "ValueTooLargeError", "value_too_large"],
  [new KeyInvalidError("a b", "spaces"), "KeyInvalidError", "key_invalid"],
];

for (const [error, name, code] of cases) {
  Deno.test(`${name} has its class name, the code '${code}' and an is() guard`, () => {
    assert.ok(error instanceof ActorSystemError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, name);
    assert.equal(error.code, code);
    assert.equal((error.constructor as typeof ActorSystemError).code, code);
    assert.ok((error.constructor as typeof AskTimeoutError).is(error));
    assert.ok(error.message.length > 0);
  });
}

Deno.test("every error class has its own code", () => {
  const codes = cases.map(([, , code]) => code);
  assert.equal(new Set(codes).size, codes.length);
});

Deno.test("is() recognises an error rebuilt from the wire by its code, and nothing else", () => {
  const rebuilt = Object.assign(new Error("from elsewhere"), { code: "ask_timeout" });
  assert.ok(AskTimeoutError.is(rebuilt));
  assert.ok(!ActorStoppedError.is(rebuilt));
  assert.ok(!AskTimeoutError.is({ code: "ask_timeout" }), "a plain object is not an error");
  assert.ok(!AskTimeoutError.is(undefined));
});

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
