/**
 * Messages of any size between real host processes over a nats-server left
 * at its default `max_payload` (1 MiB): large tells, asks and replies go as
 * chunked envelopes, arrive whole and in order, never get a host declared
 * lost, and fail with a reason (never hang) when a host dies mid-transfer.
 */

import assert from "node:assert/strict";
import type { DeadLetter } from "../../mod.ts";
import { Bulk, glance, pattern } from "../_helpers/bulk_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";

const MiB = 1024 * 1024;

Deno.test("large tells, asks and replies cross host processes at the default max_payload", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "bulk",
    agents: [{ hostId: "far" }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "bulk", hosts: 2 });
  const epoch = driver.hosts().find((h) => h.hostId === "far")!.epoch;
  const bulk = await driver.spawn(Bulk, { placement: { kind: "host", hostId: "far" } });

  for (const mib of [4, 64]) {
    await t.step(`${mib} MiB by tell, then a small tell after it arrives after it`, async () => {
      const big = pattern(mib * MiB / 4);
      bulk.tell("take", big);
      bulk.tell("take", `after ${mib}`);
      const history = await within(
        bulk.ask("history", undefined, { timeoutMs: 120_000 }),
        150_000,
        "history",
      );
      assert.deepEqual(history.slice(-2), [glance(big), `after ${mib}`]);
    });

    await t.step(`${mib} MiB by ask`, async () => {
      const big = pattern(mib * MiB / 4);
      const seen = await within(bulk.ask("see", big, { timeoutMs: 120_000 }), 150_000, "see");
      assert.deepEqual(seen, glance(big));
    });

    await t.step(`${mib} MiB by reply`, async () => {
      const n = mib * MiB / 4;
      const made = await within(bulk.ask("make", n, { timeoutMs: 120_000 }), 150_000, "make");
      assert.ok(made instanceof Float32Array);
      assert.deepEqual(glance(made), glance(pattern(n)));
      assert.equal(made[123_456 % n], (123_456 % n) % 1000);
    });
  }

  await t.step(
    "an ask to another actor of that host is answered while a large tell is still on its way",
    async () => {
      const other = await driver.spawn(Bulk, { placement: { kind: "host", hostId: "far" } });
      await other.ask("history");
      const big = new Float32Array(200 * MiB / 4).fill(3);
      bulk.tell("take", big);
      await within(other.ask("see", new Float32Array(4), { timeoutMs: 60_000 }), 60_000, "see");
      const open = driver.transportStats()?.transfersOpen?.out;
      const history = await within(
        bulk.ask("history", undefined, { timeoutMs: 300_000 }),
        300_000,
        "history",
      );
      assert.deepEqual(history.at(-1), glance(big));
      assert.equal(open, 1, "the small ask did not wait for the large tell");
    },
  );

  await t.step("no host was declared lost meanwhile, and no transfer is left open", () => {
    const far = driver.hosts().find((h) => h.hostId === "far")!;
    // Busy (its loop lags behind a large handler) is alive; lost would change its epoch.
    assert.ok(["alive", "busy"].includes(far.state), far.state);
    assert.equal(far.epoch, epoch);
    assert.deepEqual(driver.transportStats()?.transfersOpen, { out: 0, in: 0 });
  });
});

Deno.test("a host killed mid-transfer fails the tell and the ask with a reason, on both sides, and leaves nothing open", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server, agents: [receiver, sender] } = await startServerAndAgents(cleanup, {
    cluster: "bulkkill",
    agents: [{ hostId: "receiver" }, { hostId: "sender" }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "bulkkill", hosts: 3 });
  const dead: DeadLetter[] = [];
  driver.deadLetters.subscribe((letter) => dead.push(letter));

  await t.step("the receiving host dies: the tell is a dead letter, the ask fails", async () => {
    const target = await driver.spawn(Bulk, { placement: { kind: "host", hostId: "receiver" } });
    const big = pattern(256 * MiB / 4);
    target.tell("take", big);
    const asked = target.ask("see", big, { timeoutMs: 300_000 });
    await waitFor(() => (driver.transportStats()?.transfersOpen?.out ?? 0) > 0, "a transfer out");
    await receiver.kill();
    await within(
      assert.rejects(
        asked,
        (err: Error & { code?: string }) =>
          err.code === "transfer_failed" || err.code === "host_unreachable",
      ),
      60_000,
      "the ask to fail",
    );
    await waitFor(
      () => dead.some((d) => d.messageName === "take"),
      "the tell's dead letter",
      60_000,
    );
    const letter = dead.find((d) => d.messageName === "take")!;
    assert.ok(
      ["host-unreachable", "transfer-failed"].includes(letter.reason),
      `reason ${letter.reason}`,
    );
    await waitFor(() => driver.transportStats()?.transfersOpen?.out === 0, "no transfer out");
  });

  await t.step(
    "the sending host dies mid-reply: the ask fails, the partial reply is dropped",
    async () => {
      const source = await driver.spawn(Bulk, { placement: { kind: "host", hostId: "sender" } });
      const asked = source.ask("make", 512 * MiB / 4, { timeoutMs: 300_000 });
      await waitFor(
        () => (driver.transportStats()?.transfersOpen?.in ?? 0) > 0,
        "a transfer in",
        120_000,
      );
      await sender.kill();
      await within(
        assert.rejects(
          asked,
          (err: Error & { code?: string }) =>
            err.code === "transfer_failed" || err.code === "host_unreachable",
        ),
        60_000,
        "the ask to fail",
      );
      await waitFor(() => driver.transportStats()?.transfersOpen?.in === 0, "no transfer in");
    },
  );
});

Deno.test("a 1 GiB tell arrives whole at the default max_payload, and no host is declared lost meanwhile", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "bulkgib",
    agents: [{ hostId: "far" }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "bulkgib", hosts: 2 });
  const epoch = driver.hosts().find((h) => h.hostId === "far")!.epoch;
  // The default mailbox holds at most 256 MiB waiting behind the message being handled.
  const bulk = await driver.spawn(Bulk, {
    placement: { kind: "host", hostId: "far" },
    mailbox: { kind: "bounded", capacity: 1000, maxBytes: 4096 * MiB },
  });
  const big = new Float32Array(1024 * MiB / 4).fill(7);
  big[big.length - 1] = 8;
  bulk.tell("take", big);
  bulk.tell("take", "after");
  const history = await within(
    bulk.ask("history", undefined, { timeoutMs: 600_000 }),
    600_000,
    "the 1 GiB tell and the one after it",
  );
  assert.deepEqual(history, [glance(big), "after"]);
  // Summing a GiB in one handler may show the host busy (its loop lags), never lost.
  const far = driver.hosts().find((h) => h.hostId === "far")!;
  assert.ok(["alive", "busy"].includes(far.state), far.state);
  assert.equal(far.epoch, epoch);
  assert.deepEqual(driver.transportStats()?.transfersOpen, { out: 0, in: 0 });
});
