import assert from "node:assert/strict";
import { NatsTransport } from "../../transport/nats_transport.ts";
import { startNatsServer } from "../../testkit/nats_server.ts";
import { transportSuite } from "./_suite.ts";
import { within } from "../_helpers/deadline.ts";
import { stopServer } from "../_helpers/nats.ts";

const server = await startNatsServer({ jetstream: false });
Deno.test.afterAll(() => stopServer(server));

transportSuite({
  name: "nats",
  connect: () => NatsTransport.connect(server.url, { maxReconnectAttempts: 0 }),
});

Deno.test({
  name: "nats transport: the server's max_payload is the limit",
  fn: async () => {
    const t = await NatsTransport.connect(server.url);
    assert.equal(t.maxPayloadBytes, 1024 * 1024);
    await t.close();
  },
});

Deno.test({
  name: "nats transport: a killed server makes the transport report disconnected",
  fn: async () => {
    const own = await startNatsServer({ jetstream: false });
    const seen: string[] = [];
    try {
      const t = await NatsTransport.connect(own.url, { pingIntervalMs: 200, maxPingOut: 1 });
      try {
        const disconnected = new Promise<void>((resolve) =>
          t.onStatus((s) => {
            seen.push(s);
            if (s === "disconnected") resolve();
          })
        );
        own.kill("SIGKILL");
        await within(disconnected, 5_000, "the transport to report disconnected");
        assert.equal(t.status, "disconnected");
        assert.throws(
          () => t.publish("x", new Uint8Array(1)),
          (e: Error) => e.name === "TransportClosedError",
        );
      } finally {
        await t.close();
      }
    } finally {
      await stopServer(own);
    }
    assert.deepEqual(seen, ["disconnected", "closed"]);
  },
});
