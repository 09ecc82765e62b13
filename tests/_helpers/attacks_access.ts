/**
 * Attacks on access: getting in, reading others' replies, inspecting and stopping. The attack
 * suite runs them in the order of `attacks.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ClusterObserver } from "../../cluster/observer.ts";
import { connectNats } from "../../transport/nats_connect.ts";
import { ProcCounter } from "./cluster_defs.ts";
import { type Attack, CLUSTER, R } from "./attack_target.ts";
import { waitFor } from "./system.ts";

/** Connecting to the server without credentials. */
export const connectWithout: Attack = {
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
};

/** Subscribing to other members' inboxes and replies. */
export const readReplies: Attack = {
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
};

/** Inspecting a host, then stopping its actor. */
export const inspectStop: Attack = {
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
};
