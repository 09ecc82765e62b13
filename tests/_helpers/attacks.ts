/**
 * The attacks of issue 17 ("Secure by default"), each with its outcome on an
 * open server and under the secure setup (docs/security.md's table), as
 * steps that run against one {@linkcode Target} in order. The attacker has
 * a plain NATS client: no credentials on an open server, a rogue member's
 * (`mallory`) or an operator's (`op1`) under the secure setup. Attacks that
 * change the cluster on an open server come last.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Ask, defineActor } from "../../mod.ts";
import { ClusterObserver } from "../../cluster/observer.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { connectNats } from "../../transport/nats_connect.ts";
import { ProcCounter, ProcPCounter } from "./cluster_defs.ts";
import {
  type Attacker,
  CLUSTER,
  DRIVER_SPAWN_RATE,
  R,
  type Setup,
  type SpawnAnswer,
  type Target,
} from "./attack_target.ts";
import { waitFor } from "./system.ts";

/** One attack and what it achieves in each setup. */
export interface Attack {
  readonly name: string;
  readonly outcome: Readonly<Record<Setup, string>>;
  run(target: Target): Promise<void>;
}

/** An actor whose spawn arguments are a secret. */
const Keyed = defineActor<{ key: Ask<void, string> }, { apiKey: string }, { apiKey: string }>({
  type: "attack-keyed",
  module: import.meta.url,
  init: (args) => args,
  asks: { key: (s) => ({ state: s, reply: s.apiKey }) },
});

/** Publishes as the attacker; under the secure setup, waits for the server's refusal. */
async function publishRefused(
  target: Target,
  attacker: Attacker,
  subject: string,
  data: Uint8Array,
): Promise<void> {
  attacker.nc.publish(subject, data);
  await attacker.nc.flush();
  if (target.setup === "secure") await attacker.refused("publish", subject);
}

const announcement = (hostId: string, epoch: number, labels: Record<string, string> = {}) =>
  packValue({
    hostId,
    labels,
    actorCount: 0,
    mailboxDepth: 0,
    startedAtMs: 1,
    epoch,
    inbox: `${R}.*.to.${hostId}`,
    protocol: 2,
  });

const spawnRefusedAs = (answer: unknown, code: string, name: string) => {
  const a = answer as SpawnAnswer;
  assert.equal(a.ok, false, JSON.stringify(a));
  assert.equal(a.error?.code, code, JSON.stringify(a));
  assert.equal(a.error?.name, name);
};

/** Every attack, in the order they run on one cluster. */
export const ATTACKS: readonly Attack[] = [
  {
    name: "connecting without credentials",
    outcome: { open: "possible", secure: "refused by the server" },
    run: async (target) => {
      const nc = await connectNats(target.server.url, { maxReconnectAttempts: 0 }).catch((e) => e);
      if (target.setup === "open") {
        assert.ok(!(nc instanceof Error), String(nc));
        await nc.close();
      } else {
        assert.ok(nc instanceof Error);
        assert.match(String(nc.message), /[Aa]uthori[sz]ation/);
      }
    },
  },
  {
    name: "reading another member's replies",
    outcome: { open: "possible (`_INBOX.>`)", secure: "refused: each has its own inbox prefix" },
    run: async (target) => {
      const spy = await target.attacker();
      const seen: string[] = [];
      const subjects = ["_INBOX.>", "_INBOX_driver.>", `${R}.*.to.driver`];
      for (const subject of subjects) {
        spy.nc.subscribe(subject, {
          callback: (err, m) => void (err === null && seen.push(m.subject)),
        });
      }
      await spy.nc.flush().catch(() => {});
      // The driver spawns on a2 (a request: its answer comes to the driver's inbox) and asks.
      const counter = await target.driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "a2" },
      });
      counter.tell("add", 1);
      assert.equal(await counter.ask("get"), 1);
      if (target.setup === "open") {
        await waitFor(() => seen.some((s) => s.startsWith("_INBOX.")), "a reply read", 10_000);
      } else {
        for (const subject of subjects) await spy.refused("subscription", subject);
        assert.deepEqual(seen, []);
      }
      await target.driver.stop(counter);
    },
  },
  {
    name: "spawns naming a `data:` URL, a file outside, or `allowed/../outside` (code execution)",
    outcome: {
      open: "refused: `DefinitionLoadError`, nothing imported",
      secure: "refused the same way; an operator cannot even request it",
    },
    run: async (target) => {
      const f = target.modules;
      const attacker = await target.attacker();
      for (
        const module of [
          f.dataModule,
          f.url("outside/evil.js"),
          `${f.url("allowed")}/../outside/evil.js`,
          f.url("allowed-evil/evil.js"),
        ]
      ) {
        const answer = await attacker.ask(`${R}.${attacker.id}.ctl.a1.spawn`, {
          type: "evil",
          module,
        });
        spawnRefusedAs(answer, "definition_load", "DefinitionLoadError");
        assert.match((answer as SpawnAnswer).error!.message, /not allowed/);
      }
      assert.deepEqual(await f.ran(), [], "no evil code ran");
      // The allowed folder still works: the refusals were the allowlist's.
      const good = await attacker.ask(`${R}.${attacker.id}.ctl.a1.spawn`, {
        type: "allowed-good",
        module: f.url("allowed/good.ts"),
      }) as SpawnAnswer;
      assert.equal(good.ok, true, JSON.stringify(good));
      if (target.setup === "secure") {
        const operator = await target.operator();
        const subject = `${R}.op1.ctl.a1.spawn`;
        const answer = operator.ask(subject, { type: "evil", module: f.dataModule }).catch((e) =>
          e
        );
        await operator.refused("publish", subject);
        assert.ok(await answer instanceof Error, "nobody answered a refused request");
      }
      assert.deepEqual(await f.ran(), []);
    },
  },
  {
    name: "a flood of spawn requests",
    outcome: {
      open: "rate limited per requester, refusals counted",
      secure: "the same (a member's own name); operators cannot spawn",
    },
    run: async (target) => {
      const attacker = await target.attacker();
      const answers = await Promise.all(
        Array.from({ length: 60 }, () =>
          attacker.ask(`${R}.${attacker.id}.ctl.driver.spawn`, {
            type: ProcCounter.type,
          }) as Promise<SpawnAnswer>),
      );
      const accepted = answers.filter((a) => a.ok).length;
      const refused = answers.filter((a) => !a.ok);
      const { burst } = DRIVER_SPAWN_RATE;
      assert.ok(accepted >= burst && accepted <= burst + 5, `${accepted} spawned`);
      for (const answer of refused) {
        spawnRefusedAs(answer, "spawn_rate_limited", "SpawnRateLimitedError");
      }
      const report = (await target.driver.inspect({ scope: "host" })).hosts.find((h) =>
        h.hostId === "driver"
      )!;
      assert.equal(report.refused?.["spawn-rate-limited"], refused.length);
    },
  },
  {
    name: "a spawn reusing another persistent actor's key (state takeover)",
    outcome: {
      open: "refused on that actor's host (`persist_key_held`)",
      secure: "the same",
    },
    run: async (target) => {
      const real = target.driver.spawn(ProcPCounter, { name: "ledger" });
      assert.equal(await real.ask("addAndGet", 41), 41);
      // The flood above spent this requester's burst: wait for a token.
      const attacker = await target.attacker();
      let answer: SpawnAnswer | undefined;
      await waitFor(
        async () => {
          answer = await attacker.ask(`${R}.${attacker.id}.ctl.driver.spawn`, {
            type: ProcPCounter.type,
            name: "other",
            persistKey: "ledger",
          }) as SpawnAnswer;
          return answer.error?.code !== "spawn_rate_limited";
        },
        "a spawn request past the rate limit",
        30_000,
      );
      spawnRefusedAs(answer, "persist_key_held", "PersistKeyHeldError");
      assert.equal(await real.ask("addAndGet", 1), 42, "the real one serves on, with its state");
      assert.equal(real.stats().status, "running");
    },
  },
  {
    name: "inspecting a host and stopping its actors",
    outcome: {
      open: "possible: the actor stops",
      secure: "an operator inspects; the server refuses its stop",
    },
    run: async (target) => {
      const victim = await target.driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "a1" },
      });
      victim.tell("add", 3);
      assert.equal(await victim.ask("get"), 3);
      const authFile = target.authOf("op1");
      const observer = await ClusterObserver.connect({
        cluster: CLUSTER,
        servers: target.server.url,
        ...(authFile === undefined ? { id: "evil" } : { connect: { authFile } }),
      });
      try {
        const inspection = await observer.inspect({ discoverMs: 1_500, timeoutMs: 10_000 });
        assert.ok(inspection.actors.some((a) => a.id === victim.id), "the inspection lists it");
      } finally {
        await observer.close();
      }
      const operator = await target.operator();
      const subject = `${R}.${operator.id}.ctl.a1.stop`;
      const answer = operator.ask(subject, { id: victim.id }).catch((e) => e);
      if (target.setup === "open") {
        assert.deepEqual(await answer, { ok: true });
        assert.ok(await target.driver.whenStopped(victim), "the actor stopped");
      } else {
        await operator.refused("publish", subject);
        assert.ok(await answer instanceof Error);
        assert.equal(await victim.ask("get"), 3, "the actor serves on");
        await target.driver.stop(victim);
      }
    },
  },
  {
    name: "one forged `lost` vote naming a live host",
    outcome: {
      open: "refused: one vote is no verdict",
      secure: "the server refuses it in another's name; in one's own, one vote is no verdict",
    },
    run: async (target) => {
      const counter = await target.driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "a3" },
      });
      counter.tell("add", 5);
      const epoch = target.host("a3")!.epoch;
      const changes = target.changesOf("a3");
      const attacker = await target.attacker();
      const vote = packValue({ hostId: "a3", epoch });
      await publishRefused(target, attacker, `${R}.a1.lost`, vote);
      for (let i = 0; i < 3; i++) attacker.nc.publish(`${R}.${attacker.id}.lost`, vote);
      await attacker.nc.flush();
      await target.heardForAWhile("a3");
      assert.deepEqual(changes, [], "a3 did not change");
      assert.equal(target.host("a3")!.epoch, epoch, "a3 never fenced itself");
      assert.equal(await counter.ask("get"), 5, "its actor kept running");
      await target.driver.stop(counter);
    },
  },
  {
    name: "`lost` votes with a far-future or never announced epoch (banning a host id)",
    outcome: {
      open: "refused and counted (`lost-unknown-epoch`)",
      secure: "the same in one's own name; in another's, refused by the server",
    },
    run: async (target) => {
      const epoch = target.host("a3")!.epoch;
      const changes = target.changesOf("a3");
      const attacker = await target.attacker();
      await publishRefused(
        target,
        attacker,
        `${R}.a1.lost`,
        packValue({ hostId: "a3", epoch: epoch + 1e12 }),
      );
      attacker.nc.publish(
        `${R}.${attacker.id}.lost`,
        packValue({ hostId: "a3", epoch: epoch + 1e12 }),
      );
      attacker.nc.publish(`${R}.${attacker.id}.lost`, packValue({ hostId: "nobody", epoch: 1 }));
      await attacker.nc.flush();
      await target.heardForAWhile("a3");
      assert.deepEqual(changes, [], "no ban of a3");
      const { hosts } = await target.driver.inspect();
      for (const report of hosts) {
        assert.ok(
          (report.refused?.["lost-unknown-epoch"] ?? 0) >= 2,
          `${report.hostId} counted them: ${JSON.stringify(report.refused)}`,
        );
      }
    },
  },
  {
    name: "a forged announcement of a live host with a higher epoch",
    outcome: {
      open: "refused (`epoch-conflict`): the real host is not declared lost",
      secure: "refused by the server",
    },
    run: async (target) => {
      const real = target.host("a3")!;
      const changes = target.changesOf("a3");
      const attacker = await target.attacker();
      const forged = announcement("a3", real.epoch + 60_000, real.labels);
      for (let i = 0; i < 8; i++) {
        await publishRefused(target, attacker, `${R}.a3.announce`, forged);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await target.heardForAWhile("a3");
      assert.deepEqual(changes, []);
      assert.equal(target.host("a3")!.epoch, real.epoch, "the real epoch is the member");
      if (target.setup === "open") {
        const report = (await target.driver.inspect({ scope: "host" })).hosts.find((h) =>
          h.hostId === "driver"
        )!;
        assert.ok((report.refused?.["epoch-conflict"] ?? 0) >= 1, JSON.stringify(report.refused));
      }
    },
  },
  {
    name: "20,000 made-up announcements",
    outcome: {
      open: "a bounded number of candidates, no `lost` replies",
      secure: "refused by the server",
    },
    run: async (target) => {
      const attacker = await target.attacker();
      const losts: string[] = [];
      attacker.nc.subscribe(`${R}.*.lost`, {
        callback: (_, m) => {
          const vote = unpackValue(m.data, () => undefined) as { hostId?: string } | undefined;
          if (vote?.hostId?.startsWith("fake-")) losts.push(`${m.subject}: ${vote.hostId}`);
        },
      });
      await attacker.nc.flush();
      for (let i = 0; i < 20_000; i++) {
        attacker.nc.publish(`${R}.fake-${i}.announce`, announcement(`fake-${i}`, 1));
        if (i % 1_000 === 999) await attacker.nc.flush();
      }
      await attacker.nc.flush();
      if (target.setup === "secure") await attacker.refused("publish", `${R}.fake-19999.announce`);
      await target.heardForAWhile("a1");
      // Busy (the flood takes their loops' time) is fine; lost would not be.
      const hosts = target.driver.hosts();
      assert.deepEqual(hosts.map((h) => h.hostId).sort(), ["a1", "a2", "a3", "driver"]);
      for (const h of hosts) assert.ok(h.state === "alive" || h.state === "busy", h.state);
      assert.deepEqual(losts, [], "no made-up host was voted lost");
    },
  },
  {
    name: "a fake host announcing matching labels, to receive spawns and their arguments",
    outcome: {
      open: "possible: admitted after two announcements, it receives the spawn and its arguments",
      secure: "refused by the server: it cannot announce or read others' requests",
    },
    run: async (target) => {
      const attacker = await target.attacker();
      const received: unknown[] = [];
      const requests = `${R}.*.ctl.fake.>`;
      attacker.nc.subscribe(requests, {
        callback: (err, m) =>
          void (err === null && received.push(unpackValue(m.data, () => undefined))),
      });
      await attacker.nc.flush().catch(() => {});
      const epoch = Date.now();
      for (let i = 0; i < 4; i++) {
        await publishRefused(
          target,
          attacker,
          `${R}.fake.announce`,
          announcement("fake", epoch, { role: "secret" }),
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (target.setup === "open") {
        await waitFor(() => target.host("fake")?.state === "alive", "fake in the view", 20_000);
      }
      const spawn = target.driver.spawn(Keyed, {
        args: { apiKey: "sk-secret" },
        placement: { kind: "spread", labels: { role: "secret" } },
      }).catch((e) => e);
      if (target.setup === "open") {
        await waitFor(() => received.length > 0, "the fake host to receive the spawn", 20_000);
        assert.match(JSON.stringify(received[0]), /sk-secret/);
      } else {
        await attacker.refused("subscription", requests);
        assert.equal(target.host("fake"), undefined, "never in the view");
        assert.equal((await spawn as Error).name, "PlacementError");
        assert.deepEqual(received, []);
      }
    },
  },
  {
    name: "`lost` votes forged in the names of two members",
    outcome: {
      open: "possible: a verdict; the named host fences itself and rejoins as a new epoch",
      secure: "refused by the server",
    },
    run: async (target) => {
      const counter = await target.driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "a3" },
      });
      assert.equal(await counter.ask("get"), 0);
      const epoch = target.host("a3")!.epoch;
      const attacker = await target.attacker();
      const vote = packValue({ hostId: "a3", epoch });
      await publishRefused(target, attacker, `${R}.a1.lost`, vote);
      await publishRefused(target, attacker, `${R}.a2.lost`, vote);
      if (target.setup === "open") {
        await waitFor(
          () => target.host("a3")?.state === "alive" && target.host("a3")!.epoch > epoch,
          "a3 back as a new epoch",
          30_000,
        ).catch(async (e) => {
          const views = target.driver.hosts().map((h) => `${h.hostId}:${h.state}:${h.epoch}`);
          const refused = (await target.driver.inspect()).hosts.map((h) =>
            `${h.hostId} ${JSON.stringify(h.refused)}`
          );
          throw new Error(`${e.message} (epoch ${epoch}): ${views}; ${refused}`);
        });
        assert.equal((await target.driver.whenStopped(counter))?.kind, "host-lost");
      } else {
        await target.heardForAWhile("a3");
        assert.equal(target.host("a3")!.epoch, epoch);
        assert.equal(await counter.ask("get"), 0);
      }
    },
  },
  {
    name: "one forged `lost` vote in the named host's own name",
    outcome: {
      open: "possible: the host takes it as its own word, fences itself and rejoins as a new epoch",
      secure: "refused by the server",
    },
    run: async (target) => {
      const counter = await target.driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "a3" },
      });
      assert.equal(await counter.ask("get"), 0);
      const epoch = target.host("a3")!.epoch;
      const attacker = await target.attacker();
      await publishRefused(target, attacker, `${R}.a3.lost`, packValue({ hostId: "a3", epoch }));
      if (target.setup === "open") {
        await waitFor(
          () => target.host("a3")?.state === "alive" && target.host("a3")!.epoch > epoch,
          "a3 back as a new epoch",
          30_000,
        );
        assert.ok(await target.driver.whenStopped(counter), "its actor stopped");
      } else {
        await target.heardForAWhile("a3");
        assert.equal(target.host("a3")!.epoch, epoch);
        assert.equal(await counter.ask("get"), 0);
      }
    },
  },
  {
    name: "a forged `leave` of a live host",
    outcome: {
      open: "the named host stops its actors and rejoins as a new epoch: nothing runs twice",
      secure: "refused by the server",
    },
    run: async (target) => {
      const counter = await target.driver.spawn(ProcCounter, {
        placement: { kind: "host", hostId: "a2" },
      });
      counter.tell("add", 2);
      assert.equal(await counter.ask("get"), 2);
      const epoch = target.host("a2")!.epoch;
      const attacker = await target.attacker();
      await publishRefused(target, attacker, `${R}.a2.leave`, new TextEncoder().encode("a2"));
      if (target.setup === "open") {
        // As a goodbye (shutdown), or as the host's own fencing (host-lost), whichever comes first.
        const kind = (await target.driver.whenStopped(counter))?.kind;
        assert.ok(kind === "shutdown" || kind === "host-lost", kind);
        await waitFor(
          () => target.host("a2")?.state === "alive" && target.host("a2")!.epoch > epoch,
          "a2 back as a new epoch",
          30_000,
        );
      } else {
        await target.heardForAWhile("a2");
        assert.equal(target.host("a2")!.epoch, epoch);
        assert.equal(await counter.ask("get"), 2);
      }
    },
  },
];
