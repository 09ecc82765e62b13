import assert from "node:assert/strict";
import { JetStreamStore } from "../../store/jetstream_store.ts";
import { StoreUnavailableError } from "../../store/errors.ts";
import { startNatsServer } from "../../testkit/nats_server.ts";
import { storeConformance } from "./_conformance.ts";
import { killWriterAndCheck } from "../_helpers/crash.ts";
import { stopServer } from "../_helpers/nats.ts";

// One real nats-server for this file, on a free port with its own store directory;
// every test gets its own bucket.
const server = await startNatsServer();
let buckets = 0;
Deno.test.afterAll(() => stopServer(server));
addEventListener("unload", () => server.kill("SIGKILL"));

storeConformance({
  name: "jetstream",
  fresh: async () => {
    const store = await JetStreamStore.open({ servers: server.url, bucket: `conf${buckets++}` });
    return { store, dispose: () => store.close() };
  },
});

Deno.test({
  name: "jetstream store: every acknowledged write survives a kill -9 of the writing process",
  fn: async () => {
    const bucket = `crash${buckets++}`;
    await killWriterAndCheck(
      ["jetstream", server.url, bucket],
      () => JetStreamStore.open({ servers: server.url, bucket }),
    );
  },
});

Deno.test({
  name: "jetstream store: the value limit is the server's max_payload minus the headroom",
  fn: async () => {
    const store = await JetStreamStore.open({ servers: server.url, bucket: `limit${buckets++}` });
    try {
      assert.equal(store.maxValueBytes, 1024 * 1024 - 1024);
    } finally {
      await store.close();
    }
  },
});

Deno.test({
  name: "jetstream store: an unreachable server fails with StoreUnavailableError",
  // After a failed connect, transport/nats_connect.ts keeps a 3 s timer (swallowing nats.js's stray ECONNRESET).
  sanitizeOps: false,
  fn: async () => {
    const dead = await startNatsServer({ jetstream: false });
    const url = dead.url;
    await stopServer(dead);
    await assert.rejects(
      JetStreamStore.open({
        servers: url,
        bucket: "x",
        connectOptions: { maxReconnectAttempts: 0 },
      }),
      StoreUnavailableError,
    );
  },
});

Deno.test({
  name: "jetstream store: a server without JetStream fails with StoreUnavailableError",
  fn: async () => {
    const plain = await startNatsServer({ jetstream: false });
    try {
      await assert.rejects(
        JetStreamStore.open({ servers: plain.url, bucket: "x", timeoutMs: 1_000 }),
        StoreUnavailableError,
      );
    } finally {
      await stopServer(plain);
    }
  },
});
