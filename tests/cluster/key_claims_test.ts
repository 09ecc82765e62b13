/**
 * Persistence key claims, on a real nats-server: a forged spawn request,
 * published by a plain NATS client with the subjects of docs/PROTOCOL.md,
 * that names the key of a running persistent actor is refused with
 * `PersistKeyHeldError`; the real actor keeps running with its state. The
 * same holds when the request goes to another host that shares the store:
 * the state's holder record names the live actor (`cluster/key_takeover.ts`).
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { NatsTransport } from "../../transport/nats_transport.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { PersistKeyHeldError } from "../../actors/persistence/errors.ts";
import { PCounter } from "../_helpers/persistent.ts";
import { stopServer } from "../_helpers/nats.ts";
import { JetStreamStore } from "../../store/jetstream_store.ts";
import { waitFor } from "../_helpers/system.ts";

const quiet = {
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
  log: { level: "silent" },
} as const;

type Answer = {
  ok: boolean;
  id?: string;
  error?: { name: string; code?: string; message: string };
};

Deno.test("a forged spawn that reuses a running persistent actor's key is refused, and the actor keeps its state", async () => {
  const server = await startNatsServer();
  const host = await ActorSystem.start({
    ...quiet,
    hostId: "keeper",
    stateFile: ":memory:",
    cluster: { name: "claims", servers: server.url },
  });
  const outsider = await NatsTransport.connect(server.url);
  try {
    const real = host.spawn(PCounter, { name: "ledger" });
    assert.equal(await real.ask("addAndGet", 41), 41);
    const forge = async (request: Record<string, unknown>) =>
      unpackValue(
        await outsider.request(
          "actors.claims.intruder.ctl.keeper.spawn",
          packValue({ type: PCounter.type, ...request }),
          30_000,
        ),
        () => undefined,
      ) as Answer;
    for (
      const request of [
        { name: "other", persistKey: "ledger" },
        { persistKey: "ledger" },
        { name: "ledger", existing: "replace" },
      ]
    ) {
      const answer = await forge(request);
      assert.equal(answer.ok, false, JSON.stringify(request));
      assert.equal(answer.error?.code, PersistKeyHeldError.code);
      assert.match(answer.error!.message, /'ledger' is held by .*intruder/);
    }
    // The real one serves on, with its state, and still writes it.
    assert.equal(await real.ask("addAndGet", 1), 42);
    assert.equal(real.stats().status, "running");
    // A key nobody holds is spawned as before.
    assert.equal((await forge({ name: "fresh" })).ok, true);
  } finally {
    await outsider.close();
    await host.shutdown();
    await stopServer(server);
  }
});

Deno.test("a forged spawn on another host that shares the store cannot take a live persistent actor's key; a stopped one's it can", async () => {
  await using cleanup = new AsyncDisposableStack();
  const server = await startNatsServer({ jetstream: true });
  cleanup.defer(() => stopServer(server));
  const start = async (hostId: string) => {
    const store = await JetStreamStore.open({ servers: server.url, bucket: "claims" });
    cleanup.defer(() => store.close());
    const system = await ActorSystem.start({
      ...quiet,
      hostId,
      store,
      cluster: { name: "claims", servers: server.url },
    });
    cleanup.defer(() => system.shutdown());
    return system;
  };
  const keeper = await start("keeper");
  const other = await start("other");
  await waitFor(
    () => other.hosts().some((h) => h.hostId === "keeper" && h.state === "alive"),
    "other to see keeper",
    20_000,
  );
  const outsider = await NatsTransport.connect(server.url);
  cleanup.defer(() => outsider.close());
  const forge = async (request: Record<string, unknown>) =>
    unpackValue(
      await outsider.request(
        "actors.claims.intruder.ctl.other.spawn",
        packValue({ type: PCounter.type, ...request }),
        30_000,
      ),
      () => undefined,
    ) as Answer;
  const real = keeper.spawn(PCounter, { name: "ledger" });
  assert.equal(await real.ask("addAndGet", 41), 41);
  for (const request of [{ name: "ledger" }, { name: "copy", persistKey: "ledger" }]) {
    const answer = await forge(request);
    assert.equal(answer.ok, false, JSON.stringify(answer));
    assert.equal(answer.error?.code, PersistKeyHeldError.code, JSON.stringify(answer));
    assert.match(answer.error!.message, /'ledger' is held by the live actor keeper\/.*intruder/);
  }
  // The real one was not touched: it serves on and still writes its state.
  assert.equal(await real.ask("addAndGet", 1), 42);
  assert.equal(real.stats().status, "running");
  // Once it stopped, the key is free, and its state goes on elsewhere.
  await keeper.stop(real);
  const moved = await forge({ name: "ledger" });
  assert.equal(moved.ok, true, JSON.stringify(moved));
  const there = other.lookup("ledger", PCounter)!;
  assert.equal(await there.ask("get"), 42);
});

Deno.test("a detached persistent actor is replaced by name over the wire: it stops first, and its successor resumes its state", async () => {
  await using cleanup = new AsyncDisposableStack();
  const server = await startNatsServer();
  cleanup.defer(() => stopServer(server));
  const host = await ActorSystem.start({
    ...quiet,
    hostId: "keeper",
    stateFile: ":memory:",
    cluster: { name: "claims", servers: server.url },
  });
  cleanup.defer(() => host.shutdown());
  const outsider = await NatsTransport.connect(server.url);
  cleanup.defer(() => outsider.close());
  const spawnAs = async (driver: string, request: Record<string, unknown>) =>
    unpackValue(
      await outsider.request(
        `actors.claims.${driver}.ctl.keeper.spawn`,
        packValue({ type: PCounter.type, ...request }),
        30_000,
      ),
      () => undefined,
    ) as Answer;
  // A driver's run spawns it detached (no owner) and ends; a later run, with another id, replaces it.
  const first = await spawnAs("run1", { name: "books" });
  assert.equal(first.ok, true, JSON.stringify(first));
  const old = host.lookup("books", PCounter)!;
  assert.equal(await old.ask("addAndGet", 5), 5);
  const second = await spawnAs("run2", { name: "books", existing: "replace" });
  assert.equal(second.ok, true, JSON.stringify(second));
  assert.notEqual(second.id, first.id);
  assert.equal((await host.whenStopped(old))?.kind, "stopped");
  assert.equal(await host.lookup("books", PCounter)!.ask("addAndGet", 1), 6);
  // Another key's name is no replace of it: that stays refused.
  const other = await spawnAs("run3", { name: "other-books", persistKey: "books" });
  assert.equal(other.error?.code, PersistKeyHeldError.code, JSON.stringify(other));
});
