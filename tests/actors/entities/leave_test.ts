/**
 * A graceful leave with entities, across real host processes sharing a
 * JetStream store: while a driver streams numbered tells and asks to many
 * keys, one host is stopped with SIGTERM. It hands its shards to the hosts
 * that own them without it before it leaves (entities passivate with their
 * state saved, then its claims are released and held messages follow), and
 * relays what still reaches it. Every message arrives once and in order per
 * key, or the driver hears why it did not (a dead letter, or a rejected ask).
 */

import assert from "node:assert/strict";
import { type DeadLetter, JetStreamStore } from "../../../mod.ts";
import { Ledger } from "../../_helpers/entity_defs.ts";
import { startDriver, startServerAndAgents } from "../../_helpers/process_cluster.ts";
import { waitFor } from "../../_helpers/system.ts";

const entityDefs = new URL("../../_helpers/entity_defs.ts", import.meta.url).pathname;
const HOSTS = ["l1", "l2", "l3"];
const LEAVING = "l2";

Deno.test({
  name:
    "a host that leaves gracefully hands its entities over: every message arrives once, in order, or is dead-lettered",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const { server, agents } = await startServerAndAgents(cleanup, {
      cluster: "ents-leave",
      jetstream: true,
      agents: HOSTS.map((hostId) => ({
        hostId,
        extraArgs: ["--state-bucket", "ents", "--import", entityDefs],
      })),
    });
    const store = await JetStreamStore.open({ servers: server.url, bucket: "ents" });
    cleanup.defer(() => store.close());
    const driver = await startDriver(cleanup, server, {
      cluster: "ents-leave",
      hosts: HOSTS.length + 1,
      system: { store },
    });
    const letters: DeadLetter[] = [];
    cleanup.defer(driver.deadLetters.subscribe((letter) => letters.push(letter)));

    const keys = Array.from({ length: 32 }, (_, i) => `stream-${i}`);
    // Every key starts resident, so that the leaving host holds some of them.
    await Promise.all(
      keys.map((key) => driver.entity(Ledger, key).ask("addAndGet", 0, { timeoutMs: 30_000 })),
    );
    const before = await Promise.all(
      keys.map((key) => driver.entity(Ledger, key).ask("where", undefined, { timeoutMs: 30_000 })),
    );
    const leavingKeys = before.filter((w) => w.actor.startsWith(`${LEAVING}/`)).length;
    assert.ok(leavingKeys > 0, `some keys live on ${LEAVING}: ${JSON.stringify(before)}`);

    const told = new Map<string, number[]>(keys.map((k) => [k, []]));
    const acked = new Map<string, number[]>(keys.map((k) => [k, []]));
    const rejected = new Map<string, number[]>(keys.map((k) => [k, []]));
    let left = false;
    let roundsAfter = 0;
    const load = Promise.all(keys.map(async (key) => {
      const ref = driver.entity(Ledger, key);
      for (let n = 1; !left || roundsAfter < 20; n++) {
        if (left && key === keys[0]) roundsAfter++;
        if (n % 2 === 1) {
          ref.tell("add", n);
          told.get(key)!.push(n);
          continue;
        }
        try {
          await ref.ask("addAndGet", n, { timeoutMs: 30_000 });
          acked.get(key)!.push(n);
        } catch {
          rejected.get(key)!.push(n);
        }
      }
    }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await agents.find((a) => a.hostId === LEAVING)!.stop();
    await waitFor(
      () => driver.hosts().some((h) => h.hostId === LEAVING && h.state === "left"),
      `host ${LEAVING} to be seen leaving`,
      30_000,
    );
    left = true;
    await load;
    await driver.flush();

    const problems: string[] = [];
    for (const key of keys) {
      const seen = (await driver.entity(Ledger, key).ask("seen", undefined, { timeoutMs: 30_000 }))
        .filter((n) => n !== 0);
      for (let i = 1; i < seen.length; i++) {
        if (seen[i] <= seen[i - 1]) problems.push(`${key}: ${seen[i]} after ${seen[i - 1]}`);
      }
      const arrived = new Set(seen);
      for (const n of acked.get(key)!) {
        if (!arrived.has(n)) problems.push(`${key}: acknowledged ask ${n} is not in the state`);
      }
      const missingTells = told.get(key)!.filter((n) => !arrived.has(n)).length;
      const lettered = letters
        .filter((l) => l.kind === "tell" && l.target.id.endsWith(`~${key}`))
        .reduce((sum, l) => sum + (l.count ?? 1), 0);
      if (missingTells > lettered) {
        problems.push(`${key}: ${missingTells} tells missing, ${lettered} dead-lettered`);
      }
    }
    assert.deepEqual(problems, []);
    const sent = keys.reduce((sum, k) => sum + told.get(k)!.length + acked.get(k)!.length, 0);
    assert.ok(sent > keys.length * 20, `the stream ran (${sent} messages)`);
  },
});
