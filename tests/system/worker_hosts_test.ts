/**
 * Worker hosts in one process, without NATS: actors on Deno Workers that
 * are hosts of their own on the process's port bus. Their liveness is
 * served by the main thread, so computing makes them busy, never lost; code
 * on them can be killed for real (a stop past its deadline, a loop stalled
 * past the hang limit), and a killed worker is replaced.
 */

import assert from "node:assert/strict";
import {
  ActorSystem,
  childSpec,
  defineActor,
  defineSupervisor,
  type HostInfo,
  HostUnreachableError,
  InvalidOptionError,
} from "../../mod.ts";
import type { LogRecord } from "../../actors/observe/logger.ts";
import { ProcBusy, ProcIdle, ProcStubborn } from "../_helpers/busy_defs.ts";
import { ProcFlaky } from "../_helpers/cluster_defs.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";

const onWorkers = { kind: "spread", labels: { thread: "worker" } } as const;

/** Starts a system with worker hosts whose warnings are kept. */
async function withWorkers(
  options: { workers: number; hangLimitMs?: number },
  body: (system: ActorSystem, warnings: string[]) => Promise<void>,
): Promise<void> {
  const warnings: string[] = [];
  const system = await ActorSystem.start({
    workers: options.workers,
    log: { level: "warn", sink: (record: LogRecord) => warnings.push(record.text) },
    ...(options.hangLimitMs === undefined
      ? {}
      : { cluster: { name: "local", hangLimitMs: options.hangLimitMs } }),
  });
  try {
    await body(system, warnings);
  } finally {
    await system.shutdown({ timeoutMs: 2_000 });
  }
}

function host(system: ActorSystem, hostId: string): HostInfo | undefined {
  return system.hosts().find((h) => h.hostId === hostId);
}

Deno.test("two worker hosts run actors in one process; computing makes them busy, never lost", async () => {
  await withWorkers({ workers: 2 }, async (system) => {
    const main = system.hostId;
    assert.deepEqual(
      system.hosts().map((h) => [h.hostId, h.labels.thread, h.state]),
      [[main, "main", "alive"], [`${main}-w1`, "worker", "alive"], [
        `${main}-w2`,
        "worker",
        "alive",
      ]],
    );
    const epochs = new Map(system.hosts().map((h) => [h.hostId, h.epoch]));
    const gone: string[] = [];
    system.onHostChange((h) => {
      if (h.state === "lost" || h.state === "left") gone.push(`${h.hostId} ${h.state}`);
    });
    const workers = await Promise.all(
      [1, 2, 3, 4].map(() => system.spawn(ProcBusy, { placement: onWorkers })),
    );
    assert.deepEqual(
      [...new Set(workers.map((w) => w.id.split("/")[0]))].sort(),
      [`${main}-w1`, `${main}-w2`],
      "spread over both workers",
    );
    // Each turn computes longer than the suspicion timeout (1 s).
    const replies = await Promise.all(
      workers.map((w) => w.ask("spin", 1_500, { timeoutMs: 30_000 })),
    );
    assert.deepEqual(replies, [1_500, 1_500, 1_500, 1_500]);
    assert.deepEqual(gone, [], "no host lost or left");
    for (const h of system.hosts()) assert.equal(h.epoch, epochs.get(h.hostId), h.hostId);
    for (const w of workers) assert.equal((await w.stats()).restarts, 0);
  });
});

Deno.test("a stop past its deadline on a stalled worker host kills the worker; supervisors restart its actors", async () => {
  await withWorkers({ workers: 2 }, async (system, warnings) => {
    const w1 = `${system.hostId}-w1`;
    const Sup = defineSupervisor({
      type: "wsup",
      children: [
        childSpec(ProcIdle, { id: "bystander", placement: onWorkers }),
      ],
    });
    const sup = system.spawn(Sup);
    await waitFor(async () => (await sup.ask("which"))[0]?.status === "remote", "the child");
    const [before] = await sup.ask("which");
    assert.equal(before.hostId, w1, "spread starts with the first worker");
    const epoch = host(system, w1)!.epoch;
    const grinder = await system.spawn(ProcBusy, { placement: { kind: "host", hostId: w1 } });
    const stopped = system.whenStopped(grinder);
    // A minute of computing in one turn: only a kill ends it sooner.
    const spinning = grinder.ask("spin", 60_000, { timeoutMs: 120_000 }).then(
      (reply) => reply,
      (err: Error) => err,
    );
    await waitFor(() => host(system, w1)?.state === "busy", "w1 busy", 10_000);
    await within(system.stop(grinder, { timeoutMs: 300 }), 20_000, "the stop");
    const outcome = await within(spinning, 20_000, "the ask's outcome");
    assert.ok(HostUnreachableError.is(outcome), `the ask failed as unreachable: ${outcome}`);
    assert.equal((await within(stopped, 10_000, "the record"))?.kind, "host-lost");
    assert.ok(
      warnings.some((w) => w.includes(`killing worker host ${w1}`) && w.includes("overran")),
      `the kill is said, with why: ${warnings.join(" | ")}`,
    );
    // A fresh worker took its place, as a new epoch, and the child was restarted.
    await waitFor(
      () => host(system, w1)?.state === "alive" && host(system, w1)!.epoch > epoch,
      "w1 back as a new epoch",
      20_000,
    );
    await waitFor(
      async () => {
        const [child] = await sup.ask("which");
        return child?.status === "remote" && child.ref?.id !== before.ref?.id;
      },
      "the bystander restarted",
      20_000,
    );
  });
});

Deno.test("an onStop that overruns its deadline on a worker host gets the worker killed", async () => {
  await withWorkers({ workers: 1 }, async (system, warnings) => {
    const w1 = `${system.hostId}-w1`;
    const epoch = host(system, w1)!.epoch;
    const stubborn = await system.spawn(ProcStubborn, { placement: onWorkers });
    assert.equal(await stubborn.ask("ping", null), "pong");
    await within(system.stop(stubborn, { timeoutMs: 200 }), 20_000, "the stop");
    await waitFor(
      () => warnings.some((w) => w.includes(`killing worker host ${w1}`)),
      "the kill",
      10_000,
    );
    assert.ok(warnings.some((w) => w.includes("proc-stubborn") && w.includes("overran")));
    await waitFor(
      () => host(system, w1)?.state === "alive" && host(system, w1)!.epoch > epoch,
      "w1 back as a new epoch",
      20_000,
    );
    // The new worker serves spawns as before.
    const fresh = await system.spawn(ProcIdle, { placement: onWorkers });
    assert.equal(await fresh.ask("ping", null), 1);
  });
});

Deno.test("a worker host stalled past the hang limit is killed and replaced", async () => {
  await withWorkers({ workers: 1, hangLimitMs: 1_500 }, async (system, warnings) => {
    const w1 = `${system.hostId}-w1`;
    const epoch = host(system, w1)!.epoch;
    const grinder = await system.spawn(ProcBusy, { placement: onWorkers });
    const outcome = await within(
      grinder.ask("spin", 60_000, { timeoutMs: 120_000 }).then((r) => r, (err: Error) => err),
      30_000,
      "the ask's outcome",
    );
    assert.ok(HostUnreachableError.is(outcome), `the ask failed as unreachable: ${outcome}`);
    assert.ok(warnings.some((w) => w.includes("hang limit of 1500 ms")), warnings.join(" | "));
    await waitFor(
      () => host(system, w1)?.state === "alive" && host(system, w1)!.epoch > epoch,
      "w1 back as a new epoch",
      20_000,
    );
  });
});

Deno.test("a definition without a module cannot go to a worker host, and the spawn says why", async () => {
  const Inline = defineActor<{ ping: import("../../mod.ts").Ask<null, string> }, null>({
    type: "inline-only",
    init: () => null,
    asks: { ping: (s) => ({ state: s, reply: "pong" }) },
  });
  await withWorkers({ workers: 1 }, async (system) => {
    await assert.rejects(
      () => system.spawn(Inline, { placement: onWorkers }),
      (err: Error) => /module/.test(err.message),
    );
    // It still runs on the main host.
    const here = system.spawn(Inline);
    assert.equal(await here.ask("ping", null), "pong");
  });
});

Deno.test("the workers option is checked", async () => {
  for (const workers of [-1, 1.5, 1_000, "many"]) {
    await assert.rejects(
      () => ActorSystem.start({ workers: workers as number }),
      InvalidOptionError,
      String(workers),
    );
  }
  const { MemoryBus } = await import("../../transport/memory_bus.ts");
  await assert.rejects(
    () =>
      ActorSystem.start({
        workers: 1,
        cluster: { name: "c", transport: new MemoryBus().connect() },
      }),
    InvalidOptionError,
  );
});

Deno.test("a system without workers is one host, as before", async () => {
  const system = await ActorSystem.start({ workers: 0 });
  try {
    assert.equal(system.hosts().length, 1);
    assert.deepEqual(system.hosts()[0].labels, {});
  } finally {
    await system.shutdown();
  }
});

Deno.test("many spawns and asks at once to one worker host all succeed (replies share one batch)", async () => {
  await withWorkers({ workers: 1 }, async (system) => {
    const w1 = { placement: { kind: "host", hostId: `${system.hostId}-w1` } } as const;
    for (let n = 2; n <= 8; n *= 2) {
      const refs = await Promise.all(Array.from({ length: n }, () => system.spawn(ProcIdle, w1)));
      const replies = await Promise.all(refs.map((r) => r.ask("ping", null)));
      assert.deepEqual(replies, refs.map(() => 1), `${n} at once`);
    }
    assert.equal(host(system, `${system.hostId}-w1`)?.state, "alive");
  });
});

Deno.test("a worker host's log lines are written by the main thread's logger, with the worker's host id", async () => {
  const records: LogRecord[] = [];
  const system = await ActorSystem.start({
    workers: 1,
    log: { level: "warn", sink: (record: LogRecord) => records.push(record) },
  });
  try {
    const flaky = await system.spawn(ProcFlaky, { name: "flaky", placement: onWorkers });
    flaky.tell("crash", "a corrupt shard");
    const worker = `${system.hostId}-w1`;
    await waitFor(
      () => records.some((r) => r.level === "error" && r.host === worker),
      "the failure logged on the worker host",
    );
    const line = records.find((r) => r.host === worker)!;
    assert.match(`${line.text} ${JSON.stringify(line.fields)}`, /a corrupt shard/);
  } finally {
    await system.shutdown({ timeoutMs: 2_000 });
  }
});

Deno.test("worker hosts take the system's mailbox default and its cluster's spawn rate", async () => {
  const system = await ActorSystem.start({
    workers: 1,
    mailbox: { kind: "bounded", capacity: 7, maxBytes: 4_096 },
    log: { level: "error" },
    cluster: { name: "local", spawnRate: { burst: 3, perSecond: 0.01 } },
  });
  try {
    const worker = `${system.hostId}-w1`;
    const onWorker = { placement: { kind: "host", hostId: worker } } as const;
    const first = await system.spawn(ProcIdle, onWorker);
    const { mailbox } = await first.stats();
    assert.equal(mailbox.kind, "bounded");
    assert.equal(mailbox.kind === "bounded" && mailbox.capacity, 7);
    assert.equal(mailbox.kind === "bounded" && mailbox.maxBytes, 4_096);
    await system.spawn(ProcIdle, onWorker);
    await system.spawn(ProcIdle, onWorker);
    const refused = await system.spawn(ProcIdle, onWorker).catch((e) => e);
    assert.equal(refused?.code, "spawn_rate_limited", String(refused));
  } finally {
    await system.shutdown({ timeoutMs: 2_000 });
  }
});
