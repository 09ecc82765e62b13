import assert from "node:assert/strict";
import { NatsTransport } from "../../transport/nats_transport.ts";
import { startNatsServer } from "../../testkit/nats_server.ts";
import { transportSuite } from "./_suite.ts";

const server = await startNatsServer({ jetstream: false });

transportSuite({
  name: "nats",
  connect: () => NatsTransport.connect(server.url, { maxReconnectAttempts: 0 }),
});

Deno.test({
  name: "nats transport: the server's max_payload is the limit",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const t = await NatsTransport.connect(server.url);
    assert.equal(t.maxPayloadBytes, 1024 * 1024);
    await t.close();
  },
});

Deno.test({
  name: "nats transport: a killed server makes the transport report disconnected",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const own = await startNatsServer({ jetstream: false });
    const t = await NatsTransport.connect(own.url, { pingIntervalMs: 200, maxPingOut: 1 });
    const seen: string[] = [];
    t.onStatus((s) => seen.push(s));
    own.kill("SIGKILL");
    const started = Date.now();
    while (t.status === "connected" && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(t.status, "disconnected");
    assert.throws(
      () => t.publish("x", new Uint8Array(1)),
      (e: Error) => e.name === "TransportClosedError",
    );
    await t.close();
    await own.stop();
    assert.deepEqual(seen, ["disconnected", "closed"]);
  },
});

Deno.test({
  name: "nats transport: stop the server",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => server.stop(),
});
