/**
 * Errors on the wire carry name, code, message and their cause chain; a
 * stack trace only when the sending host opts in (`wireStacks`).
 */

import assert from "node:assert/strict";
import { type Ask, defineActor } from "../../mod.ts";
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
