/**
 * The JetStream store's pipelined reads and claims (store/_jetstream_wire.ts):
 * many at once keep compare-and-set fencing, and a call that gets no answer
 * fails typed, with whether a write may have been applied.
 */

import assert from "node:assert/strict";
import { JetStreamStore } from "../../store/jetstream_store.ts";
import { RevisionConflictError, StoreUnavailableError } from "../../store/errors.ts";
import { startNatsServer } from "../../testkit/nats_server.ts";
import { stopServer } from "../_helpers/nats.ts";

const server = await startNatsServer();
let buckets = 0;
Deno.test.afterAll(() => stopServer(server));
addEventListener("unload", () => server.kill("SIGKILL"));

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("two stores claiming the same 500 loaded states at once: each key has exactly one winner", async () => {
  const bucket = `race${buckets++}`;
  const a = await JetStreamStore.open({ servers: server.url, bucket });
  const b = await JetStreamStore.open({ servers: server.url, bucket });
  try {
    const keys = Array.from({ length: 500 }, (_, i) => `state.k${i}`);
    await Promise.all(keys.map((key) => a.put(key, bytes("saved"), 0)));
    const [seenByA, seenByB] = await Promise.all([a.getMany(keys), b.getMany(keys)]);
    const claim = (store: JetStreamStore, seen: typeof seenByA, who: string) =>
      Promise.all(keys.map((key, i) =>
        store.put(key, bytes(who), seen[i]!.revision).then(
          () => who,
          (err) => {
            assert.ok(RevisionConflictError.is(err), String(err));
            return undefined;
          },
        )
      ));
    const [wonByA, wonByB] = await Promise.all([claim(a, seenByA, "a"), claim(b, seenByB, "b")]);
    const now = await a.getMany(keys);
    for (const [i, key] of keys.entries()) {
      const winners = [wonByA[i], wonByB[i]].filter((w) => w !== undefined);
      assert.equal(winners.length, 1, `${key}: one winner`);
      assert.equal(
        new TextDecoder().decode(now[i]!.value),
        winners[0],
        `${key}: the winner's bytes`,
      );
    }
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("with the server gone, a claim fails as unavailable with an unknown outcome, a read with a known one", async () => {
  const own = await startNatsServer();
  const store = await JetStreamStore.open({
    servers: own.url,
    bucket: "gone",
    timeoutMs: 500,
    connectOptions: { maxReconnectAttempts: -1 },
  });
  try {
    const revision = await store.put("k", bytes("v1"), 0);
    await stopServer(own);
    const [put, get] = await Promise.allSettled([
      store.put("k", bytes("v2"), revision),
      store.get("k"),
    ]);
    assert.equal(put.status, "rejected");
    assert.equal(get.status, "rejected");
    const putError = (put as PromiseRejectedResult).reason;
    const getError = (get as PromiseRejectedResult).reason;
    assert.ok(StoreUnavailableError.is(putError), String(putError));
    assert.ok(StoreUnavailableError.is(getError), String(getError));
    assert.equal((putError as StoreUnavailableError).outcomeUnknown, true);
    assert.equal((getError as StoreUnavailableError).outcomeUnknown, false);
  } finally {
    await store.close();
    own.kill("SIGKILL");
  }
});

Deno.test("calls still waiting when the store closes fail as unavailable", async () => {
  const store = await JetStreamStore.open({ servers: server.url, bucket: `close${buckets++}` });
  const pending = Array.from({ length: 50 }, (_, i) => store.put(`k${i}`, bytes("v"), 0));
  await store.close();
  for (const outcome of await Promise.allSettled(pending)) {
    // Some may have been answered before the close; none is left hanging or fails otherwise.
    if (outcome.status === "rejected") {
      assert.ok(StoreUnavailableError.is(outcome.reason), String(outcome.reason));
    }
  }
  await assert.rejects(store.get("k0"), StoreUnavailableError);
});
