/**
 * Persistence figures, ours and the raw-store peer, one per process:
 * `deno run -A bench/persist.ts <figure> <ours|peer>` prints one JSON line.
 *
 * @module
 */

import { jetstream } from "npm:@nats-io/jetstream@3.4.0";
import { Kvm } from "npm:@nats-io/kv@3.4.0";
import { connect } from "npm:@nats-io/transport-node@3.4.0";
import {
  ActorSystem,
  type Ask,
  defineActor,
  FileStore,
  JetStreamStore,
  type Tell,
} from "../mod.ts";
import { startNatsServer } from "../testkit/nats_server.ts";
import { rate, report } from "./_measure.ts";

type CounterProtocol = { add: Tell<number>; addAndGet: Ask<number, number> };

const Counter = defineActor<CounterProtocol, { count: number }>({
  type: "bench-pcounter",
  init: () => ({ count: 0 }),
  persistence: { version: 1 },
  tells: { add: (s, n) => ({ count: s.count + n }) },
  asks: { addAndGet: (s, n) => ({ state: { count: s.count + n }, reply: s.count + n }) },
});

const quiet = { deadLetters: { logPerSecond: 0 } };
const value = new TextEncoder().encode("x".repeat(16));

/** Sequential asks to one persistent counter on the file store, or raw sequential CAS writes. */
async function turnFile(side: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "bench-file-" });
  const store = await FileStore.open({ path: `${dir}/state.db` });
  const count = 3_000;
  if (side === "ours") {
    const system = await ActorSystem.start({ ...quiet, store });
    const counter = system.spawn(Counter, { name: "c" });
    report(
      await rate(count, async () => {
        for (let i = 0; i < count; i++) await counter.ask("addAndGet", 1);
      }),
    );
    await system.shutdown();
  } else {
    let revision = 0;
    report(
      await rate(count, async () => {
        for (let i = 0; i < count; i++) revision = await store.put("state.raw", value, revision);
      }),
    );
  }
  await store.close();
  await Deno.remove(dir, { recursive: true });
}

/** Sequential asks to one persistent counter on JetStream KV, or raw sequential `kv.put`. */
async function turnJetStream(side: string): Promise<void> {
  const server = await startNatsServer();
  const count = 2_000;
  try {
    if (side === "ours") {
      const store = await JetStreamStore.open({ servers: server.url, bucket: "bench" });
      const system = await ActorSystem.start({ ...quiet, store });
      const counter = system.spawn(Counter, { name: "c" });
      report(
        await rate(count, async () => {
          for (let i = 0; i < count; i++) await counter.ask("addAndGet", 1);
        }, 3),
      );
      await system.shutdown();
      await store.close();
    } else {
      const nc = await connect({ servers: server.url });
      const kv = await new Kvm(jetstream(nc)).create("bench", { history: 1 });
      report(
        await rate(count, async () => {
          for (let i = 0; i < count; i++) await kv.put("state.raw", value);
        }, 3),
      );
      await nc.close();
    }
  } finally {
    await server.stop();
  }
}

/** 10k tells to 100 persistent actors until every state is stored, or 10k concurrent `kv.put`s. */
async function tellsJetStream(side: string): Promise<void> {
  const server = await startNatsServer();
  const tells = 10_000;
  const actors = 100;
  try {
    if (side === "ours") {
      const store = await JetStreamStore.open({ servers: server.url, bucket: "bench" });
      const system = await ActorSystem.start({ ...quiet, store });
      let round = 0;
      report(
        await rate(tells, async () => {
          const refs = Array.from(
            { length: actors },
            (_, i) => system.spawn(Counter, { name: `r${round}-${i}` }),
          );
          round++;
          await Promise.all(refs.map((r) => r.ask("addAndGet", 0)));
          for (let i = 0; i < tells; i++) refs[i % actors].tell("add", 1);
          // A reply is released only after its actor's latest state is stored.
          await Promise.all(refs.map((r) => r.ask("addAndGet", 0)));
          return async () => {
            for (const r of refs) await system.stop(r);
          };
        }, 3),
      );
      await system.shutdown();
      await store.close();
    } else {
      const nc = await connect({ servers: server.url });
      const kv = await new Kvm(jetstream(nc)).create("bench", { history: 1 });
      report(
        await rate(tells, async () => {
          await Promise.all(
            Array.from({ length: tells }, (_, i) => kv.put(`state.k${i % actors}`, value)),
          );
        }, 3),
      );
      await nc.close();
    }
  } finally {
    await server.stop();
  }
}

const figures: Record<string, (side: string) => Promise<void>> = {
  "persist.turn.file": turnFile,
  "persist.turn.jetstream": turnJetStream,
  "persist.tells.jetstream": tellsJetStream,
};

const [figure, side] = Deno.args;
const run = figures[figure];
if (run === undefined || (side !== "ours" && side !== "peer")) {
  console.error(`usage: persist.ts <${Object.keys(figures).join("|")}> <ours|peer>`);
  Deno.exit(2);
}
await run(side);
