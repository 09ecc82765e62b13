/**
 * Attacks on membership: forged votes, epochs, announcements and goodbyes. The attack
 * suite runs them in the order of `attacks.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { ProcCounter } from "./cluster_defs.ts";
import { announcement, type Attack, publishRefused, R, type Target } from "./attack_target.ts";
import { waitFor } from "./system.ts";

/** A counter placed on a host, told `count`, and that host's epoch now. */
async function counterOn(target: Target, hostId: string, count: number) {
  const counter = await target.driver.spawn(ProcCounter, {
    placement: { kind: "host", hostId },
  });
  if (count > 0) counter.tell("add", count);
  assert.equal(await counter.ask("get"), count);
  return { counter, epoch: target.host(hostId)!.epoch };
}

/** What the secure setup leaves: the host heard on, its epoch and its actor's count unchanged. */
async function untouched(
  target: Target,
  hostId: string,
  epoch: number,
  counter: { ask(name: "get"): Promise<number> },
  count: number,
): Promise<void> {
  await target.heardForAWhile(hostId);
  assert.equal(target.host(hostId)!.epoch, epoch);
  assert.equal(await counter.ask("get"), count);
}

/** One forged vote that a live host is lost. */
export const oneLost: Attack = {
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
};

/** Votes for epochs never announced (a ban of a host id). */
export const unknownEpoch: Attack = {
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
};

/** A forged announcement of a live host's id with a higher epoch. */
export const higherEpoch: Attack = {
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
};

/** 20,000 announcements of made-up hosts. */
export const announceFlood: Attack = {
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
};

/** Votes forged in two members' names. */
export const twoVotes: Attack = {
  name: "`lost` votes forged in the names of two members",
  outcome: {
    open: "possible: a verdict; the named host fences itself and rejoins as a new epoch",
    secure: "refused by the server",
  },
  run: async (target) => {
    const { counter, epoch } = await counterOn(target, "a3", 0);
    const attacker = await target.attacker();
    const vote = packValue({ hostId: "a3", epoch });
    await publishRefused(target, attacker, `${R}.a1.lost`, vote);
    await publishRefused(target, attacker, `${R}.a2.lost`, vote);
    if (target.setup === "open") {
      // An attacker repeats its forgeries: on a loaded machine the first pair
      // can arrive while a voter is itself rejoining and does not count yet.
      const again = setInterval(() => {
        attacker.nc.publish(`${R}.a1.lost`, vote);
        attacker.nc.publish(`${R}.a2.lost`, vote);
      }, 1_000);
      await waitFor(
        () => target.host("a3")?.state === "alive" && target.host("a3")!.epoch > epoch,
        "a3 back as a new epoch",
        60_000,
      ).finally(() => clearInterval(again)).catch(async (e) => {
        const views = target.driver.hosts().map((h) => `${h.hostId}:${h.state}:${h.epoch}`);
        const refused = (await target.driver.inspect()).hosts.map((h) =>
          `${h.hostId} ${JSON.stringify(h.refused)}`
        );
        throw new Error(`${e.message} (epoch ${epoch}): ${views}; ${refused}`);
      });
      assert.equal((await target.driver.whenStopped(counter))?.kind, "host-lost");
    } else {
      await untouched(target, "a3", epoch, counter, 0);
    }
  },
};

/** A vote forged in the named host's own name. */
export const ownName: Attack = {
  name: "one forged `lost` vote in the named host's own name",
  outcome: {
    open: "possible: the host takes it as its own word, fences itself and rejoins as a new epoch",
    secure: "refused by the server",
  },
  run: async (target) => {
    const { counter, epoch } = await counterOn(target, "a3", 0);
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
      await untouched(target, "a3", epoch, counter, 0);
    }
  },
};

/** A goodbye forged in a live host's name. */
export const forgedLeave: Attack = {
  name: "a forged `leave` of a live host",
  outcome: {
    open: "the named host stops its actors and rejoins as a new epoch: nothing runs twice",
    secure: "refused by the server",
  },
  run: async (target) => {
    const { counter, epoch } = await counterOn(target, "a2", 2);
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
      await untouched(target, "a2", epoch, counter, 2);
    }
  },
};
