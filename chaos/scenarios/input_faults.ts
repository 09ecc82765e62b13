/**
 * Bad input and overload at a host's door: random and mutated envelopes at
 * full speed, and a slow actor flooded with work behind a bounded mailbox.
 *
 * @module
 */

import { ActorSystem } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import type { Scenario } from "../scenario.ts";
import { Rng } from "../rng.ts";
import { sleep, startProcessCluster } from "../process_cluster.ts";
import { ChaosQuick, ChaosSlow } from "../process_actors.ts";
import { NatsTransport } from "../../transport/nats_transport.ts";
import { BatchWriter, encodeFrame } from "../../cluster/codec.ts";
import { Subjects } from "../../transport/subjects.ts";

/** The lowest rejection rate accepted at full size, in batches per second. */
const MIN_REJECTIONS_PER_S = 5_000;

/** Random and mutated envelopes published at a host's inbox as fast as possible. */
export const fuzz: Scenario = {
  name: "fuzz",
  description:
    "random and mutated envelopes published at a host's inbox at full speed: all counted, none crash it",
  run: async (size, seed) => {
    const count = size === "full" ? 10_000 : 2_000;
    const rng = new Rng(seed);
    const server = await startNatsServer({ jetstream: false });
    const host = await ActorSystem.start({
      hostId: "target",
      logFailures: false,
      deadLetters: { logPerSecond: 0, keep: 10 },
      log: { level: "silent" },
      cluster: { name: "fz", servers: server.url },
    });
    const attacker = await NatsTransport.connect(server.url);
    const violations: string[] = [];
    try {
      const quick = host.spawn(ChaosQuick);
      const valid = new BatchWriter("attacker");
      valid.add(encodeFrame({ kind: "tell", to: quick.id, name: "poke", body: undefined }));
      valid.add(encodeFrame({
        kind: "ask",
        to: quick.id,
        name: "ping",
        body: undefined,
        correlation: 1,
        timeoutMs: 100,
      }));
      const template = valid.bytes().slice();
      const inbox = new Subjects("fz", "actors", "fuzzer").batchTo("target");
      const before = host.transportStats()!;
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        let data: Uint8Array;
        if (rng.chance(0.5)) {
          data = rng.bytes(rng.int(0, 200));
        } else {
          data = template.slice();
          for (let flips = rng.int(1, 6); flips > 0; flips--) {
            data[rng.int(0, data.length - 1)] = rng.int(0, 255);
          }
        }
        attacker.publish(inbox, data);
        if (i % 500 === 0) await sleep(0);
      }
      await attacker.flush();
      const deadline = Date.now() + 30_000;
      while (host.transportStats()!.batchesReceived - before.batchesReceived < count) {
        if (Date.now() > deadline) break;
        await sleep(1);
      }
      const seconds = (performance.now() - started) / 1_000;
      const after = host.transportStats()!;
      const received = after.batchesReceived - before.batchesReceived;
      const rejected = Object.values(after.rejected).reduce((n, v) => n + v, 0);
      if (received !== count) violations.push(`${count} sent, ${received} counted by the host`);
      if (host.status !== "running") violations.push(`the host is ${host.status}`);
      const answer = await quick.ask("ping", undefined, { timeoutMs: 5_000 }).catch(() =>
        undefined
      );
      if (answer === undefined) violations.push("the host's actor does not answer afterwards");
      if (host.connectionStatus() !== "connected") violations.push("the host lost its connection");
      const rate = rejected / seconds;
      if (size === "full" && rate < MIN_REJECTIONS_PER_S) {
        violations.push(`${Math.round(rate)} rejections/s, below ${MIN_REJECTIONS_PER_S}`);
      }
      return {
        figures: {
          envelopes: count,
          counted: received,
          rejected,
          rejected_by_reason: JSON.stringify(after.rejected),
          rejections_per_s: Math.round(rate),
          crashes: host.status === "running" ? 0 : 1,
        },
        violations,
      };
    } finally {
      await attacker.close();
      await host.shutdown();
      await server.stop();
    }
  },
};

/** The largest slowdown of a neighbour's asks allowed at full size. */
const MAX_NEIGHBOUR_SLOWDOWN = 1.2;

async function p50LatencyMs(ask: () => Promise<unknown>, count: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await ask();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** A slow actor sent 1000 tells a second behind a bounded mailbox. */
export const slowActor: Scenario = {
  name: "slow-actor",
  description:
    "an actor taking 10 ms per message sent 1000 messages/s behind a bounded mailbox (reject at 100)",
  run: async (size) => {
    const seconds = size === "full" ? 10 : 2;
    const c = await startProcessCluster({ name: "slow", agents: ["a1"] });
    const violations: string[] = [];
    try {
      const slow = await c.driver.spawn(ChaosSlow, {
        placement: { kind: "host", hostId: "a1" },
        mailbox: { kind: "bounded", capacity: 100, overflow: "reject" },
      });
      const quick = await c.driver.spawn(ChaosQuick, { placement: { kind: "host", hostId: "a1" } });
      const baselineMs = await p50LatencyMs(() => quick.ask("ping"), 300);
      let sent = 0;
      const started = Date.now();
      const flood = (async () => {
        while (Date.now() - started < seconds * 1_000) {
          for (let i = 0; i < 10; i++) slow.tell("work", 1);
          sent += 10;
          await sleep(10);
        }
      })();
      const loadedMs = await p50LatencyMs(() => quick.ask("ping"), 300);
      await flood;
      await sleep(1_500);
      const handled = await slow.ask("done", undefined, { timeoutMs: 5_000 }).catch(() => -1);
      const refused = c.driver.deadLetters.recent().filter((l) =>
        l.reason === "mailbox-full" && l.messageName === "work"
      ).length;
      if (refused === 0) {
        violations.push("the sender saw no mailbox-full rejections");
      }
      if (handled + refused > sent) {
        violations.push(`${handled} handled + ${refused} refused > ${sent} sent`);
      }
      if (c.driver.connectionStatus() !== "connected") {
        violations.push("the driver's connection was cut");
      }
      const seen = await c.driver.inspect({ timeoutMs: 5_000 });
      const agent = seen.hosts.find((h) =>
        h.hostId === "a1"
      );
      if (agent?.connection !== "connected") {
        violations.push(`the agent's connection is ${agent?.connection}`);
      }
      const slowdown = loadedMs / baselineMs;
      if (size === "full" && slowdown > MAX_NEIGHBOUR_SLOWDOWN) {
        violations.push(
          `a neighbour's ask p50 went from ${baselineMs.toFixed(2)} to ${loadedMs.toFixed(2)} ms`,
        );
      }
      return {
        figures: {
          sent,
          handled,
          refused_mailbox_full: refused,
          neighbour_p50_ms_before: Math.round(baselineMs * 100) / 100,
          neighbour_p50_ms_during: Math.round(loadedMs * 100) / 100,
          neighbour_slowdown: Math.round(slowdown * 100) / 100,
        },
        violations,
      };
    } finally {
      await c.close();
    }
  },
};
