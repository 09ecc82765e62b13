/**
 * Errors on the wire carry name, code, message and their cause chain; a
 * stack trace only when the sending host opts in (`wireStacks`).
 */

import assert from "node:assert/strict";
import {
  type Ask,
  AskTimeoutError,
  defineActor,
  HostUnreachableError,
  PlacementError,
} from "../../mod.ts";
import {
  describeWireError,
  MAX_CAUSE_DEPTH,
  rebuildError,
  type WireErrorInfo,
} from "../../cluster/wire_errors.ts";
import { remotingHarness } from "../_helpers/remoting_harness.ts";
import { sendableExitReason, sendableRecord } from "../../cluster/_sendable_errors.ts";
import type { DeathRecord } from "../../actors/internal.ts";

class CodedError extends Error {
  readonly code = "coded";
}

function chain(depth: number): Error {
  let err: Error = new RangeError("the root");
  for (let i = 1; i < depth; i++) err = new Error(`level ${i}`, { cause: err });
  return err;
}

function stacks(info: WireErrorInfo | undefined): number {
  return info === undefined ? 0 : (info.stack === undefined ? 0 : 1) + stacks(info.cause);
}

Deno.test("an error map carries name, code, message and its causes, and no stack by default", () => {
  const info = describeWireError(new CodedError("outer", { cause: new TypeError("inner") }), false);
  assert.deepEqual(info, {
    name: "Error",
    message: "outer",
    code: "coded",
    cause: { name: "TypeError", message: "inner" },
  });
  assert.equal(stacks(describeWireError(chain(3), false)), 0);
  assert.equal(stacks(describeWireError(chain(3), true)), 3, "every level's stack when asked");
});

Deno.test("a cause chain is cut after the deepest cause that travels", () => {
  let info: WireErrorInfo | undefined = describeWireError(chain(20), false);
  let levels = 0;
  for (; info !== undefined; info = info.cause) levels++;
  assert.equal(levels, MAX_CAUSE_DEPTH + 1);
});

Deno.test("a rebuilt error has the whole cause chain, each with its code", () => {
  const err = rebuildError(
    {
      name: "ActorFailedError",
      message: "failed",
      code: "actor_failed",
      cause: {
        name: "Error",
        message: "mid",
        code: "coded",
        cause: { name: "RangeError", message: "root" },
      },
    } as WireErrorInfo,
    "h2",
  );
  const mid = err.cause as Error & { code?: string };
  assert.equal(mid.message, "mid");
  assert.equal(mid.code, "coded");
  assert.equal((mid.cause as Error).name, "RangeError");
});

Deno.test("a rebuilt error has its context fields again, as its typed guard promises", () => {
  const sent = new AskTimeoutError("h2/7", "get", 250, {
    cause: new HostUnreachableError("h3", "it is lost"),
  });
  const err = rebuildError(describeWireError(sent, false), "h2");
  assert.ok(AskTimeoutError.is(err));
  assert.equal(err.actorId, "h2/7");
  assert.equal(err.messageName, "get");
  assert.equal(err.timeoutMs, 250);
  assert.ok(HostUnreachableError.is(err.cause));
  assert.equal(err.cause.hostId, "h3");
  const refused = new PlacementError({ kind: "labels" }, [{ hostId: "h4", reason: "full" }]);
  const placement = rebuildError(describeWireError(refused, false), "h2");
  assert.ok(PlacementError.is(placement));
  assert.deepEqual(placement.refusals, [{ hostId: "h4", reason: "full" }]);
});

Deno.test("a user error's own plain fields travel; tensors, functions and long strings stay behind", () => {
  class ShardError extends Error {
    readonly shard = 3;
    readonly hosts = ["h1", "h2"];
    readonly weights = new Float32Array(1024);
    readonly retry = () => {};
    readonly log = "x".repeat(10_000);
    readonly nested = { a: { b: { c: { d: 1 } } } };
  }
  const info = describeWireError(new ShardError("shard 3 is corrupt"), false);
  assert.deepEqual(info.fields, { shard: 3, hosts: ["h1", "h2"] });
  const err = rebuildError(info, "h2") as Error & Record<string, unknown>;
  assert.equal(err.shard, 3);
  assert.deepEqual(err.hosts, ["h1", "h2"]);
  assert.equal(describeWireError(new Error("plain"), false).fields, undefined);
});

Deno.test("fields a hostile peer sends never replace an error's own names nor reach a prototype", () => {
  const fields = JSON.parse(
    '{"__proto__": {"polluted": true}, "name": "Forged", "code": "forged", "message": "forged",' +
      ' "remoteHost": "h9", "stack": "forged", "hostId": "h3", "deep": {"__proto__": {"x": 1}},' +
      ' "many": [' + Array(40).fill("1").join(",") + '], "fn": {"then": 1}}',
  );
  const err = rebuildError(
    { name: "HostUnreachableError", message: "gone", code: "host_unreachable", fields } as never,
    "h2",
  ) as Error & Record<string, unknown>;
  assert.equal(err.name, "HostUnreachableError");
  assert.equal(err.message, "gone");
  assert.equal(err.code, "host_unreachable");
  assert.equal(err.remoteHost, "h2");
  assert.equal(err.hostId, "h3");
  assert.equal(Object.getPrototypeOf(err), Error.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(err.polluted, undefined);
  assert.equal(err.deep, undefined, "a map with a __proto__ key is refused");
  assert.equal(err.many, undefined, "an array longer than 32 is refused");
  assert.deepEqual(err.fn, { then: 1 });
  for (const odd of [null, 3, "x", [1, 2], undefined]) {
    const e = rebuildError({ name: "E", message: "m", fields: odd } as never, "h2");
    assert.deepEqual(Object.keys(e).sort(), ["name", "remoteHost"]);
  }
});

const Failing = defineActor<{ fail: Ask<void, never> }, null>({
  type: "failing",
  init: () => null,
  asks: {
    fail: () => {
      throw new Error("handler broke", { cause: new TypeError("deep reason") });
    },
  },
});

for (const wireStacks of [false, true]) {
  Deno.test(`frame 3 of a failed ask has the cause chain, ${wireStacks ? "with" : "without"} stacks when wireStacks is ${wireStacks}`, async () => {
    const h = remotingHarness({ wireStacks });
    try {
      const actor = h.runtime.spawn(Failing as never, { name: "f" } as never, undefined).ref;
      h.send({
        kind: "ask",
        to: actor.id,
        name: "fail",
        body: undefined,
        correlation: 3,
        timeoutMs: 1_000,
      });
      const [frame] = await h.next(1);
      assert.equal(frame.kind, "replyError");
      const error = (frame as { error: WireErrorInfo }).error;
      assert.equal(error.code, "actor_failed");
      assert.equal(error.cause?.message, "handler broke");
      assert.equal(error.cause?.cause?.message, "deep reason");
      assert.equal(stacks(error) > 0, wireStacks);
    } finally {
      await h.stop();
    }
  });
}

Deno.test("exit reasons (frame 5) and death records (frame 6) leave without stacks unless the host opts in", () => {
  const failure = { kind: "error", error: chain(2), messageName: "get" } as const;
  const reason = sendableExitReason(failure as never, false) as { error: WireErrorInfo };
  assert.equal(reason.error.cause?.name, "RangeError");
  assert.equal(stacks(reason.error), 0);
  assert.equal(stacks((sendableExitReason(failure as never, true) as typeof reason).error), 2);
  const record = {
    kind: "failed",
    error: { name: "Error", message: "x", stack: "Error: x\n    at /home/me/secret.ts:1:1" },
    stopHookError: undefined,
  } as unknown as DeathRecord;
  assert.equal(sendableRecord(record, false).error?.stack, undefined);
  assert.equal(sendableRecord(record, false).error?.message, "x");
  assert.equal(sendableRecord(record, true), record);
});
