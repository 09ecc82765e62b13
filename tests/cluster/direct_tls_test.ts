/**
 * The direct data channel under the secure setup with TLS (`ctl auth init
 * --tls`): hosts whose NATS connections have their own certificates speak
 * TLS on the channel with them, checking the listener's certificate against
 * the cluster's CA and the name its offer gave; an outsider that connects to
 * a listener in the clear, or over TLS without a token, is refused, counted,
 * and delivers nothing.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import type { DirectChannelStats } from "../../types.ts";
import { Bulk, glance, pattern } from "../_helpers/bulk_defs.ts";
import { startSecuredServer } from "../_helpers/auth.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";
import { encodeHello, writeRecordHeader } from "../../cluster/_direct_wire.ts";
import { isDirectTlsName } from "../../cluster/direct_tls.ts";

const MiB = 1024 * 1024;

function direct(system: ActorSystem): DirectChannelStats {
  const stats = system.transportStats()?.direct;
  assert.ok(stats !== undefined, "the direct channel is on");
  return stats;
}

Deno.test("a member id is a certificate's DNS name only when it is one DNS label", () => {
  for (const id of ["h1", "gpu-1", "Driver", "a"]) assert.ok(isDirectTlsName(id), id);
  for (const id of ["-h", "h-", "a_b", "a:b", "a.b", "x".repeat(64), ""]) {
    assert.ok(!isDirectTlsName(id), id);
  }
});

Deno.test({
  // A refused connection leaves transport/nats_connect.ts's guard timer.
  sanitizeOps: false,
  name: "with the cluster's certificates the direct channel speaks TLS and refuses outsiders",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const { server, auth, dir } = await startSecuredServer(cleanup, [
      "--cluster",
      "dtls",
      "--hosts",
      "h1,h2",
      "--tls",
    ]);
    const start = async (id: string) => {
      const system = await ActorSystem.start({
        hostId: id,
        logFailures: false,
        deadLetters: { logPerSecond: 0 },
        log: { level: "error" },
        cluster: {
          name: "dtls",
          servers: server.url,
          connect: { authFile: auth(id) },
          directChannel: true,
        },
      });
      cleanup.defer(() => system.shutdown({ timeoutMs: 5_000 }));
      return system;
    };
    const h1 = await start("h1");
    const h2 = await start("h2");
    await waitFor(() => h1.hosts().some((h) => h.hostId === "h2"), "h1 to see h2", 30_000);
    await waitFor(() => h2.hosts().some((h) => h.hostId === "h1"), "h2 to see h1", 30_000);

    await t.step("an 8 MiB ask and its 8 MiB reply go over TLS connections, whole", async () => {
      const bulk = await h1.spawn(Bulk, { placement: { kind: "host", hostId: "h2" } });
      const big = pattern(8 * MiB / 4);
      assert.deepEqual(
        await within(bulk.ask("see", big, { timeoutMs: 60_000 }), 90_000, "see"),
        glance(big),
      );
      const made = await within(bulk.ask("make", 2 * MiB, { timeoutMs: 60_000 }), 90_000, "make");
      assert.deepEqual(glance(made), glance(pattern(2 * MiB)));
      assert.equal(direct(h1).tls, true);
      assert.ok(direct(h1).bytesSent >= 8 * MiB, `h1 sent ${direct(h1).bytesSent} directly`);
      assert.ok(direct(h2).bytesSent >= 8 * MiB, `h2 sent ${direct(h2).bytesSent} directly`);
      assert.equal(direct(h2).accepted, 1);
      assert.equal(direct(h1).accepted, 1);
    });

    const [hostname, port] = direct(h2).address.split(":");
    const hello = encodeHello("h1", new Uint8Array(32).fill(7));
    const record = writeRecordHeader(new Uint8Array(24), 1, 0, 4);

    await t.step("a hello in the clear is refused (direct-tls-refused), unanswered", async () => {
      const conn = await Deno.connect({ hostname, port: Number(port) });
      await conn.write(hello).catch(() => 0);
      await conn.write(record).catch(() => 0);
      const answer = new Uint8Array(1);
      const n = await conn.read(answer).catch(() => null);
      assert.ok(n === null || answer[0] !== 1, "no accept byte");
      conn.close();
      await waitFor(() => (direct(h2).refused["direct-tls-refused"] ?? 0) >= 1, "counted", 30_000);
    });

    await t.step(
      "a TLS connection with a made-up token is refused (direct-bad-token)",
      async () => {
        const ca = await Deno.readTextFile(`${dir}/tls/ca.pem`);
        const tcp = await Deno.connect({ hostname, port: Number(port) });
        const conn = await Deno.startTls(tcp, { hostname: "h2", caCerts: [ca] });
        await conn.write(hello);
        const answer = new Uint8Array(1);
        const n = await conn.read(answer).catch(() => null);
        assert.ok(n === null || answer[0] !== 1, "no accept byte");
        conn.close();
        await waitFor(() => (direct(h2).refused["direct-bad-token"] ?? 0) >= 1, "counted", 30_000);
        assert.equal(direct(h2).accepted, 1, "no connection but h1's was accepted");
      },
    );
  },
});
