import assert from "node:assert/strict";
import { ActorSystem, ClusterConnectError } from "../../mod.ts";
import type { LogRecord } from "../../types.ts";
import { startNatsServer } from "../../testing.ts";
import { Counter } from "../_helpers/actors.ts";
import { waitFor } from "../_helpers/system.ts";
import { stopServer } from "../_helpers/nats.ts";

Deno.test({
  name: "hosts join a server that requires a user and password, and talk",
  fn: async () => {
    const server = await startNatsServer({
      jetstream: false,
      args: ["--user", "trainer", "--pass", "s3cret"],
    });
    const join = (hostId: string) =>
      ActorSystem.start({
        hostId,
        deadLetters: { logPerSecond: 0 },
        cluster: {
          name: "auth",
          servers: server.url,
          connect: { user: "trainer", pass: "s3cret" },
        },
      });
    const hosts: ActorSystem[] = [];
    try {
      const a = await join("a");
      hosts.push(a);
      hosts.push(await join("b"));
      await waitFor(() => a.hosts().length === 2, "a to see b");
      const counter = await a.spawn(Counter, { placement: { kind: "host", hostId: "b" } });
      counter.tell("add", 3);
      assert.equal(await counter.ask("get"), 3);
    } finally {
      for (const host of hosts) await host.shutdown();
      await stopServer(server);
    }
  },
});

Deno.test("a host that joins an open server says once, at info level, that anyone can act as any host", async () => {
  const server = await startNatsServer({ jetstream: false });
  const said: LogRecord[] = [];
  const join = (hostId: string, url: string, connect = {}) =>
    ActorSystem.start({
      hostId,
      log: { level: "info", sink: (record) => said.push(record) },
      cluster: { name: "open", servers: url, connect },
    });
  const warning = "joined an open NATS server without credentials: any client on it can act as " +
    "any host; see docs/security.md";
  try {
    const a = await join("a", server.url);
    await a.shutdown();
    assert.deepEqual(said.filter((r) => r.text === warning).map((r) => r.level), ["info"]);
  } finally {
    await stopServer(server);
  }
  const guarded = await startNatsServer({ jetstream: false, args: ["--user", "u", "--pass", "p"] });
  try {
    said.length = 0;
    const b = await join("b", guarded.url, { user: "u", pass: "p" });
    await b.shutdown();
    assert.equal(said.filter((r) => r.text === warning).length, 0);
  } finally {
    await stopServer(guarded);
  }
});

Deno.test({
  // After a failed connect, transport/nats_connect.ts keeps a 3 s timer (swallowing nats.js's stray ECONNRESET).
  sanitizeOps: false,
  name: "a wrong password fails with a clear ClusterConnectError",
  fn: async () => {
    const server = await startNatsServer({
      jetstream: false,
      args: ["--user", "trainer", "--pass", "s3cret"],
    });
    try {
      const err = await ActorSystem.start({
        cluster: {
          name: "auth",
          servers: server.url,
          connect: { user: "trainer", pass: "wrong", maxReconnectAttempts: 0 },
        },
      }).catch((e) => e);
      assert.ok(err instanceof ClusterConnectError, String(err));
      assert.match(
        err.message,
        /cannot join the cluster at nats:\/\/127\.0\.0\.1:\d+: .*[Aa]uthori[sz]ation/,
      );
    } finally {
      await stopServer(server);
    }
  },
});

Deno.test({
  // After a failed connect, transport/nats_connect.ts keeps a 3 s timer (swallowing nats.js's stray ECONNRESET).
  sanitizeOps: false,
  name: "an unreachable server fails with ClusterConnectError",
  fn: async () => {
    const server = await startNatsServer({ jetstream: false });
    const url = server.url;
    await stopServer(server);
    const err = await ActorSystem.start({
      cluster: {
        name: "x",
        servers: url,
        connect: { maxReconnectAttempts: 0, connectTimeoutMs: 1_000 },
      },
    }).catch((e) => e);
    assert.ok(err instanceof ClusterConnectError, String(err));
  },
});
