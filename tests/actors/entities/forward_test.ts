/**
 * Forwarding to the host that holds an entity's shard: a forwarded ask keeps
 * the caller's deadline, not the forwarding host's default timeout.
 */

import assert from "node:assert/strict";
import type { EntityHost } from "../../../actors/entities/host.ts";
import type { Activation } from "../../../actors/entities/activation.ts";
import type { ReplyTarget } from "../../../actors/ask.ts";
import { forward } from "../../../actors/entities/forward.ts";

Deno.test("a forwarded ask times out when its caller stops waiting, not after the forwarding host's default", async () => {
  const asked: ({ timeoutMs?: number } | undefined)[] = [];
  const runtime = {
    clock: { now: () => 10_000 },
    askTimeoutMs: 1_000,
    remote: {
      resolve: () => ({
        ask: (_name: string, _payload: unknown, options?: { timeoutMs?: number }) => {
          asked.push(options);
          return Promise.resolve(42);
        },
      }),
    },
  } as unknown as EntityHost;
  const replies: unknown[] = [];
  const via: ReplyTarget = {
    settled: false,
    deadlineMs: 10_000 + 25_000,
    resolve: (value) => replies.push(value),
    reject: (reason) => replies.push(reason),
  };
  const activation = { id: "~t~k", type: "t", key: "k" } as unknown as Activation;
  forward(runtime, activation, "h2", { name: "work", payload: 1, via, bytes: 0 });
  await Promise.resolve();
  assert.deepEqual(asked, [{ timeoutMs: 25_000 }]);
  assert.deepEqual(replies, [42]);
});
