/**
 * `isolation: "worker"`: an actor on a worker host of its own, which no
 * other placement uses, which ends with the actor, and which is terminated
 * when the actor overruns its stop deadline (a real, brutal kill) without
 * touching the actors elsewhere.
 */

import assert from "node:assert/strict";
import { ActorSystem, InvalidOptionError } from "../../mod.ts";
import type { LogRecord } from "../../actors/observe/logger.ts";
import { ProcBusy, ProcIdle, ProcStubborn } from "../_helpers/busy_defs.ts";
import { waitFor } from "../_helpers/system.ts";
import { within } from "../_helpers/deadline.ts";

async function withWorkers(
  body: (system: ActorSystem, warnings: string[]) => Promise<void>,
): Promise<void> {
  const warnings: string[] = [];
  const system = await ActorSystem.start({
    workers: 1,
    log: { level: "warn", sink: (record: LogRecord) => warnings.push(record.text) },
  });
  try {
    await body(system, warnings);
  } finally {
    await system.shutdown({ timeoutMs: 2_000 });
  }
}

const stateOf = (system: ActorSystem, hostId: string) =>
  system.hosts().find((h) => h.hostId === hostId)?.state;

Deno.test("an isolated actor gets a worker host of its own, which ends when the actor stops", async () => {
  await withWorkers(async (system) => {
    const alone = await system.spawn(ProcIdle, { isolation: "worker" });
    const x1 = `${system.hostId}-x1`;
    assert.equal(alone.id.split("/")[0], x1);
    assert.equal(await alone.ask("ping", null), 1);
    const info = system.hosts().find((h) => h.hostId === x1);
    assert.equal(info?.labels.thread, "isolated");
    // No placement but a pin lands on it.
    for (let i = 0; i < 4; i++) {
      const other = await system.spawn(ProcIdle, { placement: { kind: "spread" } });
      assert.notEqual(other.id.split("/")[0], x1);
    }
    await system.stop(alone);
    await waitFor(() => stateOf(system, x1) === "left", "the isolated host left", 10_000);
  });
});

Deno.test("an isolated actor that overruns its stop deadline is killed with its worker; others go on", async () => {
  await withWorkers(async (system, warnings) => {
    const other = await system.spawn(ProcBusy, {
      placement: { kind: "spread", labels: { thread: "worker" } },
    });
    const stubborn = await system.spawn(ProcStubborn, { isolation: "worker" });
    const x1 = `${system.hostId}-x1`;
    assert.equal(await stubborn.ask("ping", null), "pong");
    await within(system.stop(stubborn, { timeoutMs: 200 }), 20_000, "the stop");
    await waitFor(
      () => warnings.some((w) => w.includes(`killing worker host ${x1}`)),
      "the kill",
      10_000,
    );
    const record = await within(system.whenStopped(stubborn), 10_000, "the final record");
    assert.ok(record !== undefined, "a final record");
    await waitFor(
      () => stateOf(system, x1) === "lost" || stateOf(system, x1) === "left",
      "the isolated host gone",
      10_000,
    );
    assert.ok(
      !system.hosts().some((h) => h.hostId === x1 && (h.state === "alive" || h.state === "busy")),
      "not replaced",
    );
    assert.equal(await other.ask("spin", 1), 1, "the shared worker's actor is untouched");
  });
});

Deno.test("isolation needs a system with workers and no placement", async () => {
  const plain = await ActorSystem.start({ log: { level: "error" } });
  try {
    await assert.rejects(
      plain.spawn(ProcIdle, { isolation: "worker" }),
      (err: unknown) => InvalidOptionError.is(err) && /started with workers/.test(String(err)),
    );
  } finally {
    await plain.shutdown();
  }
  await withWorkers(async (system) => {
    await assert.rejects(
      system.spawn(ProcIdle, {
        isolation: "worker",
        placement: { kind: "local" },
      } as never),
      InvalidOptionError,
    );
    await assert.rejects(
      system.spawn(ProcIdle, { isolation: "process" } as never),
      InvalidOptionError,
    );
  });
});
