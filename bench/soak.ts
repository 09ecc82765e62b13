/**
 * The failure-detection soak: 8 hosts (this process and 7 host agents) on one
 * nats-server, every agent sending a steady stream of tells to the others,
 * for a while (5 minutes by default). It counts every host declared lost
 * (none should be: they all stay alive) and the messages moved.
 *
 * `failover.false_positives.busy` (or `--busy`) adds one actor on each agent
 * that computes in synchronous handlers of 0.5 to 5 s at random, back to
 * back: those hosts are `busy` most of the time, and must never be lost.
 *
 * Usage: deno run -A bench/soak.ts [failover.false_positives[.busy]] [seconds] [--busy]
 *        [--heartbeat-ms N --suspicion-ms N] [--per-tick N (tells per agent every 10 ms, default 400)]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ActorRef, ActorSystem, type Tell } from "../mod.ts";
import { startNatsServer } from "../testing.ts";
import { report } from "./_measure.ts";
import { agentFlags, REMOTE_DEFS, startReady, stop } from "./_processes.ts";
import { Grinder, Pinger } from "./remote_defs.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    "heartbeat-ms": { type: "string" },
    "suspicion-ms": { type: "string" },
    "per-tick": { type: "string", default: "400" },
    busy: { type: "boolean", default: false },
  },
});
// The runner passes the figure's name first.
const figure = positionals[0]?.startsWith("failover.false_positives") ? positionals[0] : undefined;
const rest = figure === undefined ? positionals : positionals.slice(1);
const busy = values.busy || figure === "failover.false_positives.busy";
const seconds = Number(rest[0] ?? 300);
const timing = [
  ...(values["heartbeat-ms"] === undefined ? [] : ["--heartbeat-ms", values["heartbeat-ms"]]),
  ...(values["suspicion-ms"] === undefined ? [] : ["--suspicion-ms", values["suspicion-ms"]]),
];
const server = await startNatsServer({ jetstream: false });
const agents: Deno.ChildProcess[] = [];
for (let i = 0; i < 7; i++) {
  agents.push(
    await startReady([
      "run",
      ...agentFlags(server.url),
      new URL("../cli/agent.ts", import.meta.url).pathname,
      "--nats",
      server.url,
      "--cluster",
      "soak",
      "--host-id",
      `s${i}`,
      "--import",
      REMOTE_DEFS,
      ...timing,
    ], `s${i}`),
  );
}
const driver = await ActorSystem.start({
  hostId: "driver",
  deadLetters: { logPerSecond: 0 },
  cluster: {
    name: "soak",
    servers: server.url,
    ...(values["heartbeat-ms"] === undefined
      ? {}
      : { heartbeatIntervalMs: Number(values["heartbeat-ms"]) }),
    ...(values["suspicion-ms"] === undefined
      ? {}
      : { suspicionTimeoutMs: Number(values["suspicion-ms"]) }),
  },
});
const declared: string[] = [];
let busyTimes = 0;
driver.onHostChange((host) => {
  if (host.state === "busy") busyTimes++;
  else if (host.state !== "alive") declared.push(`${host.hostId}:${host.state}`);
});
try {
  while (driver.hosts().filter((h) => h.state === "alive").length < 8) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const pingers = [];
  for (let i = 0; i < 7; i++) {
    pingers.push(await driver.spawn(Pinger, { placement: { kind: "host", hostId: `s${i}` } }));
  }
  for (let i = 0; i < pingers.length; i++) {
    const peers = pingers.filter((_, j) => j !== i) as unknown as ActorRef<
      { ping: Tell<number> }
    >[];
    await pingers[i].ask("start", { peers, perTick: Number(values["per-tick"]) });
  }
  const grinders = [];
  for (let i = 0; busy && i < 7; i++) {
    const grinder = await driver.spawn(Grinder, { placement: { kind: "host", hostId: `s${i}` } });
    grinder.tell("grind", undefined);
    grinders.push(grinder);
  }
  const started = Date.now();
  while (Date.now() - started < seconds * 1_000) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  for (const pinger of pingers) pinger.tell("halt");
  for (const grinder of grinders) grinder.tell("halt", undefined);
  await new Promise((resolve) => setTimeout(resolve, 500));
  let grinds = 0;
  let longestMs = 0;
  for (const grinder of grinders) {
    const done = await grinder.ask("done", undefined, { timeoutMs: 30_000 });
    grinds += done.runs;
    longestMs = Math.max(longestMs, done.longestMs);
  }
  let received = 0;
  for (const pinger of pingers) {
    received += await pinger.ask("received", undefined, { timeoutMs: 30_000 });
  }
  const alive = driver.hosts().filter((h) => h.state === "alive" || h.state === "busy").length;
  console.error(
    `soak: ${seconds} s, 8 hosts, ${received} messages between agents (${
      Math.round(received / seconds)
    }/s), ` +
      `hosts declared lost or unreachable: ${declared.length} ${
        declared.join(" ")
      }, alive at the end: ${alive}` +
      (busy
        ? `; ${grinds} synchronous turns of 0.5-5 s (longest ${longestMs} ms), ` +
          `hosts seen busy ${busyTimes} times`
        : ""),
  );
  report({
    value: declared.length,
    unit: "declarations",
    samples: busy
      ? [declared.length, received, seconds, grinds, longestMs, busyTimes]
      : [declared.length, received, seconds],
  });
} finally {
  await driver.shutdown();
  for (const agent of agents) await stop(agent);
  await server.stop();
}
