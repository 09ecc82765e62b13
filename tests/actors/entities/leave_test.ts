/**
 * A graceful leave with entities, across real host processes sharing a
 * JetStream store: while a driver streams numbered tells and asks to many
 * keys, one host is stopped with SIGTERM. It hands its shards to the hosts
 * that own them without it before it leaves (entities passivate with their
 * state saved, then its claims are released and held messages follow), and
 * relays what still reaches it. Every message arrives once and in order per
 * key, or the driver hears why it did not (a dead letter, or a rejected ask):
 * for a stream of tells and asks in turn, and for a stream of tells alone.
 */

import assert from "node:assert/strict";
import { type ActorSystem, type DeadLetter, JetStreamStore } from "../../../mod.ts";
import { Ledger } from "../../_helpers/entity_defs.ts";
import { startDriver, startServerAndAgents } from "../../_helpers/process_cluster.ts";
import { waitFor } from "../../_helpers/system.ts";

const entityDefs = new URL("../../_helpers/entity_defs.ts", import.meta.url).pathname;
const HOSTS = ["l1", "l2", "l3"];
const LEAVING = "l2";

/** What the load of one key sent: tells, acknowledged asks and rejected asks, by number. */
interface Sent {
  readonly told: number[];
  readonly acked: number[];
  readonly rejected: number[];
}

/** Sends the `n`-th message of a key's stream; returns when the next may go. */
type Step = (ref: ReturnType<typeof entityRef>, n: number, sent: Sent) => Promise<void> | void;

function entityRef(driver: ActorSystem, key: string) {
  return driver.entity(Ledger, key);
}

/** Streams `step` to 32 keys while host l2 leaves gracefully, then checks each key's history. */
async function streamAcrossLeave(cluster: string, step: Step): Promise<void> {
  await using cleanup = new AsyncDisposableStack();
  const { server, agents } = await startServerAndAgents(cleanup, {
    cluster,
    jetstream: true,
    agents: HOSTS.map((hostId) => ({
      hostId,
      extraArgs: ["--state-bucket", "ents", "--import", entityDefs],
    })),
  });
  const store = await JetStreamStore.open({ servers: server.url, bucket: "ents" });
  cleanup.defer(() => store.close());
  const driver = await startDriver(cleanup, server, {
    cluster,
    hosts: HOSTS.length + 1,
    system: { store },
  });
  const letters: DeadLetter[] = [];
  cleanup.defer(driver.deadLetters.subscribe((letter) => letters.push(letter)));

  const keys = Array.from({ length: 32 }, (_, i) => `stream-${i}`);
  // Every key starts resident, so that the leaving host holds some of them.
  await Promise.all(
    keys.map((key) => entityRef(driver, key).ask("addAndGet", 0, { timeoutMs: 30_000 })),
  );
  const before = await Promise.all(
    keys.map((key) => entityRef(driver, key).ask("where", undefined, { timeoutMs: 30_000 })),
  );
  const leavingKeys = before.filter((w) => w.actor.startsWith(`${LEAVING}/`)).length;
  assert.ok(leavingKeys > 0, `some keys live on ${LEAVING}: ${JSON.stringify(before)}`);

  const sent = new Map<string, Sent>(keys.map((k) => [k, { told: [], acked: [], rejected: [] }]));
  let left = false;
  let roundsAfter = 0;
  const load = Promise.all(keys.map(async (key) => {
    const ref = entityRef(driver, key);
    for (let n = 1; !left || roundsAfter < 20; n++) {
      if (left && key === keys[0]) roundsAfter++;
      await step(ref, n, sent.get(key)!);
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
    const seen = (await entityRef(driver, key).ask("seen", undefined, { timeoutMs: 30_000 }))
      .filter((n) => n !== 0);
    for (let i = 1; i < seen.length; i++) {
      if (seen[i] <= seen[i - 1]) problems.push(`${key}: ${seen[i]} after ${seen[i - 1]}`);
    }
    const arrived = new Set(seen);
    const { told, acked } = sent.get(key)!;
    for (const n of acked) {
      if (!arrived.has(n)) problems.push(`${key}: acknowledged ask ${n} is not in the state`);
    }
    const missingTells = told.filter((n) => !arrived.has(n)).length;
    const lettered = letters
      .filter((l) => l.kind === "tell" && l.target.id.endsWith(`~${key}`))
      .reduce((sum, l) => sum + (l.count ?? 1), 0);
    if (missingTells > lettered) {
      problems.push(`${key}: ${missingTells} tells missing, ${lettered} dead-lettered`);
    }
  }
  assert.deepEqual(problems, []);
  const total = keys.reduce(
    (sum, k) => sum + sent.get(k)!.told.length + sent.get(k)!.acked.length,
    0,
  );
  assert.ok(total > keys.length * 20, `the stream ran (${total} messages)`);
}

Deno.test({
  name:
    "a host that leaves gracefully hands its entities over: every message arrives once, in order, or is dead-lettered",
  fn: () =>
    streamAcrossLeave("ents-leave", async (ref, n, sent) => {
      if (n % 2 === 1) {
        ref.tell("add", n);
        sent.told.push(n);
        return;
      }
      try {
        await ref.ask("addAndGet", n, { timeoutMs: 30_000 });
        sent.acked.push(n);
      } catch {
        sent.rejected.push(n);
      }
    }),
});

Deno.test({
  name:
    "a stream of tells alone across a graceful leave arrives once and in order per key, or is dead-lettered",
  fn: () =>
    streamAcrossLeave("ents-leave-tells", async (ref, n, sent) => {
      ref.tell("add", n);
      sent.told.push(n);
      // A pause now and then (not an ask): the stream runs for the whole leave without a flood.
      if (n % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }),
});
