/**
 * Tells from another host that do not fit a bounded mailbox are refused
 * back to the sender (its dead letters, `mailbox-full`) and counted by the
 * receiving host, in its inspection report and in `ctl hosts`; so are asks,
 * whose askers get `MailboxFullError`. Real
 * nats-server, two hosts in this process, `ctl` in a process of its own.
 */

import assert from "node:assert/strict";
import { ActorSystem, type Ask, defineActor, type Tell } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { stopServer } from "../_helpers/nats.ts";
import { waitFor } from "../_helpers/system.ts";

/** Takes a while over each message, so that its mailbox fills. */
const Slow = defineActor<{ work: Tell<number>; answer: Ask<number, number> }, number>({
  type: "mailbox-refusals-slow",
  init: () => 0,
  tells: {
    work: async (n) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return n + 1;
    },
  },
  asks: {
    answer: async (n, x) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { state: n + 1, reply: x };
    },
  },
});

const quiet = {
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
  log: { level: "silent" },
} as const;

Deno.test("tells refused by a full mailbox are counted by the receiving host and shown by ctl hosts", async () => {
  await using cleanup = new AsyncDisposableStack();
  const server = await startNatsServer({ jetstream: false });
  cleanup.defer(() => stopServer(server));
  const join = async (hostId: string) => {
    const system = await ActorSystem.start(
      {
        ...quiet,
        hostId,
        stateFile: ":memory:",
        cluster: { name: "full", servers: server.url },
      } as const,
    );
    cleanup.defer(() => system.shutdown({ timeoutMs: 2_000 }));
    return system;
  };
  const receiver = await join("receiver");
  const sender = await join("sender");
  await waitFor(() => sender.hosts().length === 2, "the sender to see the receiver", 20_000);
  const local = receiver.spawn(Slow, { mailbox: { kind: "bounded", capacity: 4 } });
  const slow = sender.resolveRef(local.toJSON(), Slow);
  assert.equal((await slow.stats()).status, "running");
  for (let i = 0; i < 200; i++) slow.tell("work", i);
  const refusedOnSender = () =>
    sender.deadLetters.recent().filter((l) => l.reason === "mailbox-full")
      .reduce((sum, l) => sum + (l.count ?? 1), 0);
  await waitFor(() => refusedOnSender() > 0, "refusals back on the sender", 20_000);
  const counted = async () =>
    (await receiver.inspect({ scope: "host" })).hosts[0].refused?.["mailbox-full"] ?? 0;
  await waitFor(
    async () => await counted() === refusedOnSender(),
    "the receiver to count what the sender was refused",
    20_000,
  );
  assert.ok(await counted() >= 150, `${await counted()} counted of 200 (mailbox of 4)`);

  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../cli/ctl.ts", import.meta.url).pathname,
      "hosts",
      "--nats",
      server.url,
      "--cluster",
      "full",
    ],
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const line = new TextDecoder().decode(stdout).split("\n").find((l) => l.startsWith("receiver"));
  assert.match(line ?? "", /\d+ mailbox-full/, new TextDecoder().decode(stdout));
});

Deno.test("asks refused by a full mailbox are counted by the receiving host, and their askers get MailboxFullError", async () => {
  await using cleanup = new AsyncDisposableStack();
  const server = await startNatsServer({ jetstream: false });
  cleanup.defer(() => stopServer(server));
  const join = async (hostId: string) => {
    const system = await ActorSystem.start({
      ...quiet,
      hostId,
      stateFile: ":memory:",
      cluster: { name: "fullasks", servers: server.url },
    });
    cleanup.defer(() => system.shutdown({ timeoutMs: 2_000 }));
    return system;
  };
  const receiver = await join("receiver");
  const sender = await join("sender");
  await waitFor(() => sender.hosts().length === 2, "the sender to see the receiver", 20_000);
  const local = receiver.spawn(Slow, { mailbox: { kind: "bounded", capacity: 4 } });
  const slow = sender.resolveRef(local.toJSON(), Slow);
  const outcomes = await Promise.allSettled(
    Array.from({ length: 100 }, (_, i) => slow.ask("answer", i, { timeoutMs: 60_000 })),
  );
  const refused = outcomes.filter((o) => o.status === "rejected");
  assert.ok(refused.length >= 50, `${refused.length} of 100 refused (mailbox of 4)`);
  for (const o of refused) assert.equal((o.reason as Error).name, "MailboxFullError");
  const counted = (await receiver.inspect({ scope: "host" })).hosts[0].refused?.["mailbox-full"];
  assert.equal(counted, refused.length);
});
