/**
 * 05 — A cluster on this machine: one nats-server, three host processes
 * with different labels, and workers placed across them.
 *
 * The program starts its own nats-server on a free port (it must be
 * installed: Debian `apt-get install -y nats-server`), starts three host
 * agents (`cli/agent.ts`) that import this module for its definitions, joins
 * the cluster itself, and spawns workers two ways: spread over the hosts
 * labelled `gpu=1`, and by a hash of a shard key. Each worker estimates π by
 * sampling; the program prints where each landed and the results, then shuts
 * everything down.
 *
 * Run: deno run -A examples/05_cluster.ts
 *
 * @module
 */

import { ActorSystem, type Ask, defineActor } from "../mod.ts";
import { startHostAgent, startNatsServer } from "../testing.ts";

/** A worker: estimates π from `samples` random points, seeded for repeatability. */
export const Estimator = defineActor<
  {
    estimate: Ask<
      { samples: number; seed: number },
      { host: string; inside: number; samples: number }
    >;
  },
  null
>({
  type: "pi-estimator",
  // Lets a host that does not have this definition import it.
  module: import.meta.url,
  init: () => null,
  asks: {
    estimate: (state, { samples, seed }, ctx) => {
      let x = seed >>> 0 || 1;
      const random = () => {
        // xorshift32: the same seed gives the same estimate on any host
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return (x >>> 0) / 4294967296;
      };
      let inside = 0;
      for (let i = 0; i < samples; i++) {
        const a = random();
        const b = random();
        if (a * a + b * b <= 1) inside++;
      }
      return { state, reply: { host: ctx.self.id.split("/")[0], inside, samples } };
    },
  },
});

if (import.meta.main) {
  const server = await startNatsServer({ jetstream: false });
  const hosts = [
    { id: "gpu-a", labels: { gpu: "1", zone: "a" } },
    { id: "gpu-b", labels: { gpu: "1", zone: "b" } },
    { id: "cpu-a", labels: { gpu: "0", zone: "a" } },
  ];
  // Each host is a `cli/agent.ts` process that imports this module for its definitions.
  const agents = await Promise.all(hosts.map(({ id, labels }) =>
    startHostAgent({
      servers: server.url,
      cluster: "demo",
      hostId: id,
      labels,
      imports: [import.meta.url],
    })
  ));

  const system = await ActorSystem.start({
    hostId: "driver",
    cluster: { name: "demo", servers: server.url, labels: { role: "driver" } },
  });
  while (system.hosts().length < 4) await new Promise((resolve) => setTimeout(resolve, 20));
  console.log(
    `hosts: ${
      system.hosts().map((h) =>
        `${h.hostId}(${Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(",")})`
      ).join(" ")
    }`,
  );

  // Strategy 1: spread over the hosts with a GPU.
  const gpuWorkers = [];
  for (let i = 0; i < 4; i++) {
    gpuWorkers.push(
      await system.spawn(Estimator, {
        name: `gpu-worker-${i}`,
        placement: { kind: "spread", labels: { gpu: "1" } },
      }),
    );
  }
  // Strategy 2: one worker per shard, placed by a hash of the shard key.
  const shardWorkers = [];
  for (const shard of ["shard-0", "shard-1", "shard-2"]) {
    shardWorkers.push(
      await system.spawn(Estimator, {
        name: `worker-${shard}`,
        placement: { kind: "hash", key: shard },
      }),
    );
  }

  let inside = 0;
  let samples = 0;
  for (const [i, worker] of [...gpuWorkers, ...shardWorkers].entries()) {
    const result = await worker.ask("estimate", { samples: 200_000, seed: i + 1 });
    inside += result.inside;
    samples += result.samples;
    console.log(`${worker.name} landed on ${result.host}`);
  }
  const pi = (4 * inside) / samples;
  console.log(`pi is about ${pi.toFixed(3)} from ${samples} samples`);
  console.log(`close to pi: ${Math.abs(pi - Math.PI) < 0.01}`);

  await system.shutdown();
  for (const agent of agents) await agent.stop();
  await server.stop();
  console.log("all hosts stopped");
}
