/**
 * Attacks through spawns: code from the wire, floods, key takeovers, a fake host that receives them. The attack
 * suite runs them in the order of `attacks.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Ask, defineActor } from "../../mod.ts";
import { unpackValue } from "../../cluster/codec.ts";
import { ProcCounter, ProcPCounter } from "./cluster_defs.ts";
import {
  announcement,
  type Attack,
  DRIVER_SPAWN_RATE,
  publishRefused,
  R,
  type SpawnAnswer,
  spawnRefusedAs,
} from "./attack_target.ts";
import { waitFor } from "./system.ts";

/** An actor whose spawn arguments are a secret. */
const Keyed = defineActor<{ key: Ask<void, string> }, { apiKey: string }, { apiKey: string }>({
  type: "attack-keyed",
  module: import.meta.url,
  init: (args) => args,
  asks: { key: (s) => ({ state: s, reply: s.apiKey }) },
});

/** Spawns naming modules outside the allowed folder (remote code execution). */
export const moduleRce: Attack = {
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
      const answer = operator.ask(subject, { type: "evil", module: f.dataModule }).catch((e) => e);
      await operator.refused("publish", subject);
      assert.ok(await answer instanceof Error, "nobody answered a refused request");
    }
    assert.deepEqual(await f.ran(), []);
  },
};

/** A flood of spawn requests at the driver. */
export const spawnFlood: Attack = {
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
};

/** A spawn that claims a running persistent actor's key. */
export const keyTakeover: Attack = {
  name: "a spawn reusing another persistent actor's key (state takeover)",
  outcome: {
    open: "refused on that actor's host (`persist_key_held`)",
    secure: "the same",
  },
  run: async (target) => {
    // A name of its own each run: the step may run again (`runAttack`).
    const key = `ledger-${crypto.randomUUID().slice(0, 8)}`;
    const real = target.driver.spawn(ProcPCounter, { name: key });
    assert.equal(await real.ask("addAndGet", 41), 41);
    // The flood above spent this requester's burst: wait for a token.
    const attacker = await target.attacker();
    let answer: SpawnAnswer | undefined;
    await waitFor(
      async () => {
        answer = await attacker.ask(`${R}.${attacker.id}.ctl.driver.spawn`, {
          type: ProcPCounter.type,
          name: `other-${key}`,
          persistKey: key,
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
};

/**
 * A spawn on another host that claims a live persistent actor's key: both
 * hosts share the state store, so without the holder check the new
 * activation would take the state and the real one stop at its next write.
 */
export const crossHostKeyTakeover: Attack = {
  name: "a spawn on another host reusing a live persistent actor's key (state takeover)",
  outcome: {
    open: "refused (`persist_key_held`) when the request carries its own sender; a request " +
      "forged as the actor's owner (`driver`) takes the state over, and the real one stops at " +
      "its next write (`StateConflictError`): an open server does not bind subjects to connections",
    secure: "refused (`persist_key_held`); publishing as the owner is refused by the server; " +
      "the real actor runs on, untouched",
  },
  run: async (target) => {
    const key = `vault-${crypto.randomUUID().slice(0, 8)}`;
    const real = await target.driver.spawn(ProcPCounter, {
      name: key,
      placement: { kind: "host", hostId: "a2" },
    });
    assert.equal(await real.ask("addAndGet", 41), 41);
    const attacker = await target.attacker();
    const request = { type: ProcPCounter.type, name: key };
    const answer = await attacker.ask(`${R}.${attacker.id}.ctl.a3.spawn`, request);
    spawnRefusedAs(answer, "persist_key_held", "PersistKeyHeldError");
    assert.match(
      (answer as SpawnAnswer).error!.message,
      /'vault-.* is held by the live actor a2\//,
    );
    assert.equal(await real.ask("addAndGet", 1), 42, "the real one serves on, with its state");
    assert.equal(await real.ask("where"), "a2");
    // The owner's host may ask: speaking as it is what an open server cannot refuse.
    const forged = `${R}.driver.ctl.a3.spawn`;
    if (target.setup === "secure") {
      const refused = attacker.ask(forged, request).catch((e) => e);
      await attacker.refused("publish", forged);
      assert.ok(await refused instanceof Error, "nobody answered a refused request");
      assert.equal(await real.ask("addAndGet", 1), 43, "untouched");
      return;
    }
    const taken = await attacker.ask(forged, request) as SpawnAnswer;
    assert.equal(taken.ok, true, JSON.stringify(taken));
    assert.match(taken.id!, /^a3\//);
    const fenced = await real.ask("addAndGet", 1).catch((e) => e);
    assert.equal((fenced as Error).name, "StateConflictError", String(fenced));
  },
};

/** A fake host with matching labels, to receive spawns and their arguments. */
export const fakeHost: Attack = {
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
};
