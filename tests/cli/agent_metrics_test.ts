/**
 * The host agent's Prometheus endpoint (`--metrics-port`), scraped from a
 * real agent process while a driver host works with its actors.
 */

import assert from "node:assert/strict";
import { ProcCounter, ProcFlaky } from "../_helpers/cluster_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

Deno.test("an agent serves its host's metrics to Prometheus on loopback", async () => {
  await using cleanup = new AsyncDisposableStack();
  const port = freePort();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "metrics",
    agents: [{ hostId: "worker", extraArgs: ["--metrics-port", String(port)] }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "metrics", hosts: 2 });
  const counter = await driver.spawn(ProcCounter, {
    placement: { kind: "host", hostId: "worker" },
  });
  for (let i = 0; i < 5; i++) counter.tell("add", 1);
  assert.equal(await counter.ask("get"), 5);
  const flaky = await driver.spawn(ProcFlaky, { placement: { kind: "host", hostId: "worker" } });
  const stopped = driver.whenStopped(flaky);
  flaky.tell("crash", "boom");
  await stopped;

  const url = `http://127.0.0.1:${port}/metrics`;
  let samples = new Map<string, number>();
  await waitFor(
    async () => {
      samples = await scrape(url);
      return samples.get(
        `actorcluster_dead_letters_total{host="worker",reason="handler-failed"}`,
      ) ===
        1;
    },
    "the failed message's dead letter on the endpoint",
    15_000,
  );
  const at = (name: string) => {
    assert.ok(samples.has(name), `${name} in:\n${[...samples.keys()].join("\n")}`);
    return samples.get(name)!;
  };
  const counterType = `host="worker",type="proc-counter"`;
  assert.equal(at(`actorcluster_actors{${counterType}}`), 1);
  assert.equal(at(`actorcluster_messages_handled_total{${counterType}}`), 6);
  assert.equal(at(`actorcluster_mailbox_depth{${counterType}}`), 0);
  assert.equal(at(`actorcluster_restarts_total{${counterType}}`), 0);
  assert.equal(at(`actorcluster_handler_seconds_count{${counterType}}`), 6);
  assert.equal(at(`actorcluster_handler_seconds_bucket{${counterType},le="+Inf"}`), 6);
  assert.ok(at(`actorcluster_host_messages_handled_total{host="worker"}`) >= 7);
  assert.ok(at(`actorcluster_host_loop_lag_seconds{host="worker"}`) >= 0);
  assert.ok(at(`actorcluster_host_batches_total{host="worker",direction="received"}`) >= 1);
  assert.ok(at(`actorcluster_host_bytes_total{host="worker",direction="sent"}`) > 0);
  assert.ok(at(`actorcluster_host_bytes_total{host="worker",direction="received"}`) > 0);
  assert.equal(
    await fetch(`http://127.0.0.1:${port}/other`).then(async (r) => {
      await r.body?.cancel();
      return r.status;
    }),
    404,
  );
});

Deno.test("an agent with worker hosts serves their metrics too, each labelled with its host and agent", async () => {
  await using cleanup = new AsyncDisposableStack();
  const port = freePort();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "wmetrics",
    agents: [{ hostId: "box", extraArgs: ["--workers", "2", "--metrics-port", String(port)] }],
  });
  // The driver, the agent, and its two workers.
  const driver = await startDriver(cleanup, server, { cluster: "wmetrics", hosts: 4 });
  const counters = await Promise.all(
    ["box-w1", "box-w2", "box-w2"].map((hostId) =>
      driver.spawn(ProcCounter, { placement: { kind: "host", hostId } })
    ),
  );
  for (const counter of counters) counter.tell("add", 1);
  assert.deepEqual(await Promise.all(counters.map((c) => c.ask("get"))), [1, 1, 1]);

  const url = `http://127.0.0.1:${port}/metrics`;
  let samples = new Map<string, number>();
  const w2 = `host="box-w2",agent="box",type="proc-counter"`;
  await waitFor(
    async () => {
      samples = await scrape(url);
      return samples.get(`actorcluster_messages_handled_total{${w2}}`) === 4;
    },
    "the second worker host's turns on the agent's endpoint",
    15_000,
  );
  const at = (name: string) => {
    assert.ok(samples.has(name), `${name} in:\n${[...samples.keys()].join("\n")}`);
    return samples.get(name)!;
  };
  assert.equal(at(`actorcluster_actors{host="box-w1",agent="box",type="proc-counter"}`), 1);
  assert.equal(at(`actorcluster_actors{${w2}}`), 2);
  assert.equal(at(`actorcluster_handler_seconds_count{${w2}}`), 4, "worker turns are timed");
  for (const host of ["box-w1", "box-w2"]) {
    assert.ok(at(`actorcluster_host_messages_handled_total{host="${host}",agent="box"}`) >= 2);
    assert.ok(at(`actorcluster_host_loop_lag_seconds{host="${host}",agent="box"}`) >= 0);
  }
  assert.ok(
    at(`actorcluster_host_messages_handled_total{host="box"}`) >= 0,
    "the agent's own host",
  );
  const text = await (await fetch(url)).text();
  const types = text.split("\n").filter((line) => line.startsWith("# TYPE actorcluster_actors "));
  assert.equal(types.length, 1, "each family is written once for all hosts");
});
