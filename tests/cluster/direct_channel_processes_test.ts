/**
 * The direct data channel between real host processes (docs/moving-data.md,
 * "The direct path"): large envelopes' chunks go over a TCP connection
 * negotiated over NATS, arrive whole and in order, fall back to NATS when
 * the connection cannot be made, fail at once with a reason when a peer dies
 * mid-transfer, and a connection without a valid token delivers nothing.
 */

import assert from "node:assert/strict";
import { connect } from "npm:@nats-io/transport-node@3.4.0";
import type { ActorSystem, DeadLetter } from "../../mod.ts";
import type { DirectChannelStats } from "../../types.ts";
import { Bulk, glance, pattern } from "../_helpers/bulk_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";
import { encodeHello, writeRecordHeader } from "../../cluster/_direct_wire.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";

const MiB = 1024 * 1024;
const DIRECT = ["--direct", "127.0.0.1:0"];

function direct(system: ActorSystem): DirectChannelStats {
  const stats = system.transportStats()?.direct;
  assert.ok(stats !== undefined, "the direct channel is on");
  return stats;
}

Deno.test("64 MiB tells, asks and replies between host processes go over the direct connection, whole", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "direct",
    agents: [{ hostId: "far", extraArgs: DIRECT }],
  });
  const driver = await startDriver(cleanup, server, {
    cluster: "direct",
    hosts: 2,
    join: { directChannel: true },
  });
  const bulk = await driver.spawn(Bulk, { placement: { kind: "host", hostId: "far" } });
  const natsBefore = driver.transportStats()?.bytesSent ?? 0;

  await t.step("a 64 MiB ask arrives whole (its checksum matches)", async () => {
    const big = pattern(64 * MiB / 4);
    const seen = await within(bulk.ask("see", big, { timeoutMs: 120_000 }), 150_000, "see");
    assert.deepEqual(seen, glance(big));
  });

  await t.step("a 64 MiB tell arrives whole, before the small tell sent after it", async () => {
    const big = pattern(64 * MiB / 4);
    big[big.length - 1] = 12_345;
    bulk.tell("take", big);
    bulk.tell("take", "after");
    const history = await within(
      bulk.ask("history", undefined, { timeoutMs: 120_000 }),
      150_000,
      "history",
    );
    assert.deepEqual(history.slice(-2), [glance(big), "after"]);
  });

  await t.step("their bytes did not go through NATS", () => {
    const stats = direct(driver);
    assert.ok(stats.bytesSent >= 128 * MiB, `direct bytes sent: ${stats.bytesSent}`);
    assert.equal(stats.opened, 1, "one connection, reused");
    const nats = (driver.transportStats()?.bytesSent ?? 0) - natsBefore;
    assert.ok(nats < 8 * MiB, `bytes through NATS: ${nats}`);
  });

  await t.step("a 64 MiB reply comes back over the far host's own connection", async () => {
    const n = 64 * MiB / 4;
    const made = await within(bulk.ask("make", n, { timeoutMs: 120_000 }), 150_000, "make");
    assert.ok(made instanceof Float32Array);
    assert.deepEqual(glance(made), glance(pattern(n)));
    assert.ok(direct(driver).bytesReceived >= 64 * MiB, "received on the direct connection");
    assert.equal(direct(driver).accepted, 1);
  });

  await t.step("nothing is left open", async () => {
    await waitFor(
      () => {
        const open = driver.transportStats()?.transfersOpen;
        return open?.out === 0 && open?.in === 0;
      },
      "no transfer open",
      30_000,
    );
  });
});

Deno.test("a host without the channel, or whose port cannot be reached, gets large envelopes over NATS", async () => {
  await using cleanup = new AsyncDisposableStack();
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "directfallback",
    agents: [
      { hostId: "plain" },
      {
        hostId: "hidden",
        extraArgs: [...DIRECT, "--direct-advertise", `127.0.0.1:${closedPort}`],
      },
    ],
  });
  const driver = await startDriver(cleanup, server, {
    cluster: "directfallback",
    hosts: 3,
    join: { directChannel: { connectTimeoutMs: 5_000 } },
  });
  for (const hostId of ["plain", "hidden"]) {
    const bulk = await driver.spawn(Bulk, { placement: { kind: "host", hostId } });
    const big = pattern(8 * MiB / 4);
    const seen = await within(bulk.ask("see", big, { timeoutMs: 120_000 }), 150_000, hostId);
    assert.deepEqual(seen, glance(big), hostId);
  }
  assert.equal(direct(driver).bytesSent, 0);
  assert.equal(direct(driver).opened, 0);
});

Deno.test("a peer killed mid-transfer on the direct connection fails the ask and the tell at once, on both sides", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server, agents: [receiver, sender] } = await startServerAndAgents(cleanup, {
    cluster: "directkill",
    agents: [{ hostId: "receiver", extraArgs: DIRECT }, { hostId: "sender", extraArgs: DIRECT }],
  });
  const driver = await startDriver(cleanup, server, {
    cluster: "directkill",
    hosts: 3,
    join: { directChannel: true },
  });
  const dead: DeadLetter[] = [];
  driver.deadLetters.subscribe((letter) => dead.push(letter));

  await t.step(
    "the receiver dies: the ask fails with TransferFailedError, the tell is a dead letter",
    async () => {
      const target = await driver.spawn(Bulk, { placement: { kind: "host", hostId: "receiver" } });
      const big = pattern(512 * MiB / 4);
      target.tell("take", big);
      const asked = target.ask("see", big, { timeoutMs: 300_000 });
      const failed = assert.rejects(asked, (err: Error & { code?: string; reason?: string }) => {
        assert.equal(err.code, "transfer_failed", String(err));
        assert.equal(err.reason, "connection-lost", String(err));
        return true;
      });
      await waitFor(() => direct(driver).bytesSent > 0, "bytes on the direct connection", 60_000);
      await receiver.kill();
      // At once: before the receiver is declared lost (a second or more after its death).
      await within(failed, 60_000, "the ask to fail");
      await waitFor(
        () => dead.some((d) => d.messageName === "take"),
        "the tell's dead letter",
        60_000,
      );
      assert.equal(dead.find((d) => d.messageName === "take")!.reason, "transfer-failed");
      await waitFor(() => driver.transportStats()?.transfersOpen?.out === 0, "no transfer out");
    },
  );

  await t.step(
    "the sender dies mid-reply: the ask fails, the partial reply is dropped",
    async () => {
      const source = await driver.spawn(Bulk, { placement: { kind: "host", hostId: "sender" } });
      const asked = source.ask("make", 512 * MiB / 4, { timeoutMs: 300_000 });
      const failed = assert.rejects(
        asked,
        (err: Error & { code?: string }) =>
          err.code === "transfer_failed" || err.code === "host_unreachable",
      );
      await waitFor(
        () => direct(driver).bytesReceived > 0,
        "bytes on the direct connection",
        120_000,
      );
      await sender.kill();
      await within(failed, 60_000, "the ask to fail");
      await waitFor(() => driver.transportStats()?.transfersOpen?.in === 0, "no transfer in");
    },
  );
});

Deno.test("a direct connection without a valid token is refused and delivers nothing", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "directauth",
    agents: [{ hostId: "far" }],
  });
  const driver = await startDriver(cleanup, server, {
    cluster: "directauth",
    hosts: 2,
    join: { directChannel: true },
  });
  const [hostname, port] = direct(driver).address.split(":");
  const nc = await connect({ servers: server.url });
  cleanup.defer(() => nc.close());
  /** A token as a member publishing as `as` gets it over NATS (this server has no permissions). */
  const tokenFor = async (as: string) => {
    const reply = await nc.request(`actors.directauth.${as}.ctl.driver.direct`, packValue({}), {
      timeout: 10_000,
    });
    return unpackValue(reply.data, () => undefined) as { ok: boolean; token?: Uint8Array };
  };

  /** Connects, sends a hello and a chunk record; whether the listener accepted it. */
  const attempt = async (bytes: Uint8Array): Promise<boolean> => {
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      await conn.write(bytes).catch(() => 0);
      const answer = new Uint8Array(1);
      return (await conn.read(answer).catch(() => null)) === 1 && answer[0] === 1;
    } finally {
      conn.close();
    }
  };
  const hello = (token: Uint8Array, id: string) => {
    const head = encodeHello(id, token);
    const out = new Uint8Array(head.byteLength + 24 + 1024);
    out.set(head, 0);
    out.set(writeRecordHeader(new Uint8Array(24), 0, 0, 1024), head.byteLength);
    return out;
  };
  const refused = (reason: string) => direct(driver).refused[reason] ?? 0;

  await t.step("a made-up token and bytes that are no hello are refused", async () => {
    assert.equal(await attempt(hello(crypto.getRandomValues(new Uint8Array(32)), "far")), false);
    assert.equal(await attempt(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")), false);
    await waitFor(() => refused("direct-bad-magic") === 1, "the bad hello counted");
    assert.equal(refused("direct-bad-token"), 1);
  });

  await t.step("a member that is not a host gets no token", async () => {
    assert.equal((await tokenFor("mallory")).ok, false);
  });

  await t.step(
    "a token handed to one host does not let another in, nor the same twice",
    async () => {
      const { ok, token } = await tokenFor("far");
      assert.ok(ok && token instanceof Uint8Array);
      assert.equal(await attempt(hello(token, "mallory")), false);
      assert.equal(await attempt(hello(token, "far")), true);
      assert.equal(await attempt(hello(token, "far")), false);
      await waitFor(() => refused("direct-bad-token") === 3, "the refusals counted");
    },
  );

  await t.step("nothing was delivered", async () => {
    // The accepted connection's record named a transfer no frame 8 announced: it was not taken.
    await waitFor(() => direct(driver).accepted === 1, "the one accepted connection");
    assert.equal(direct(driver).bytesReceived, 0);
    assert.deepEqual(driver.transportStats()?.transfersOpen, { out: 0, in: 0 });
  });
});
