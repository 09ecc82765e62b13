/**
 * Worker-host figures: actors on worker hosts of one process
 * (`ActorSystem.start({ workers: 2 })`, no NATS server). The peers are one
 * thread (`workers.speedup`) and two plain Deno Workers with raw
 * `postMessage` (`workers.tell`, `workers.transfer`).
 *
 * Usage: deno run -A bench/workers.ts <figure> <ours|peer>
 *
 * @module
 */

import { type ActorRef, ActorSystem } from "../mod.ts";
import { type Measurement, rate, report } from "./_measure.ts";
import {
  Blaster,
  Counter,
  CRUNCH_ITERATIONS,
  type Crunched,
  Cruncher,
  type CrunchProtocol,
  Mover,
  Taker,
} from "./worker_defs.ts";
import type { PeerGo, PeerInit } from "./worker_peer.ts";

const [figure, side] = Deno.args;
/** Compute tasks of about 50 ms each (`workers.speedup`). */
const TASKS = 64;
/** Tells of a number (`workers.tell`). */
const TELLS = 1_000_000;
/** Arrays moved (`workers.transfer`), each of 64 MiB of floats. */
const ROUNDS = 16;
const FLOATS = 16 * 1024 * 1024;
const MIB_PER_ROUND = (FLOATS * 4) / 2 ** 20;
const quiet = { deadLetters: { logPerSecond: 0 } };
const long = { timeoutMs: 600_000 };

/** Runs the 64 tasks at once, round robin over `crunchers`; says each task's own time. */
async function crunchAll(crunchers: readonly ActorRef<CrunchProtocol>[]): Promise<void> {
  const done: Crunched[] = await Promise.all(
    Array.from(
      { length: TASKS },
      (_, i) => crunchers[i % crunchers.length].ask("crunch", CRUNCH_ITERATIONS, long),
    ),
  );
  if (new Set(done.map((d) => d.hash)).size !== 1) throw new Error("tasks computed differently");
  const meanMs = done.reduce((sum, d) => sum + d.ms, 0) / done.length;
  console.error(`${TASKS} tasks on ${crunchers.length} actor(s), ${meanMs.toFixed(1)} ms each`);
}

/** Ours: the figure on a system with two worker hosts. */
async function ours(): Promise<Measurement> {
  const system = await ActorSystem.start({ ...quiet, workers: 2 });
  try {
    const workers = system.hosts().filter((h) => h.labels.thread === "worker");
    const [w1, w2] = workers.map((h) => h.hostId);
    if (w2 === undefined) throw new Error("two worker hosts did not start");
    const on = (hostId: string) => ({ placement: { kind: "host", hostId } as const });
    switch (figure) {
      case "workers.speedup": {
        const crunchers = [
          await system.spawn(Cruncher, on(w1)),
          await system.spawn(Cruncher, on(w2)),
        ];
        return await rate(TASKS, () => crunchAll(crunchers));
      }
      case "workers.tell": {
        const counter = await system.spawn(Counter, on(w2));
        const blaster = await system.spawn(Blaster, on(w1));
        let expected = 0;
        return await rate(TELLS, async () => {
          const seen = await blaster.ask("blast", { peer: counter, count: TELLS }, long);
          expected += TELLS;
          if (seen !== expected) throw new Error(`lost tells: ${seen} != ${expected}`);
        });
      }
      case "workers.transfer": {
        const taker = await system.spawn(Taker, on(w2));
        const mover = await system.spawn(Mover, on(w1));
        return await rate(ROUNDS * MIB_PER_ROUND, async () => {
          await mover.ask("move", { peer: taker, rounds: ROUNDS, floats: FLOATS }, long);
        });
      }
    }
    throw new Error(`unknown figure ${figure}`);
  } finally {
    await system.shutdown();
  }
}

/** Two plain workers joined by a channel: `sender` posts to `receiver`. */
async function peerWorkers(kind: "tell" | "transfer"): Promise<[Worker, Worker]> {
  const url = new URL("./worker_peer.ts", import.meta.url);
  const sender = new Worker(url, { type: "module" });
  const receiver = new Worker(url, { type: "module" });
  const ready = (w: Worker) =>
    new Promise<void>((resolve) => w.addEventListener("message", () => resolve(), { once: true }));
  await Promise.all([ready(sender), ready(receiver)]);
  const channel = new MessageChannel();
  const init = (w: Worker, role: PeerInit["role"], port: MessagePort) =>
    w.postMessage({ role, port } satisfies PeerInit, [port]);
  init(sender, `${kind}-sender`, channel.port1);
  init(receiver, `${kind}-receiver`, channel.port2);
  return [sender, receiver];
}

/** The next message `worker` posts to this thread. */
function next<T>(worker: Worker): Promise<T> {
  return new Promise((resolve) =>
    worker.addEventListener("message", (e) => resolve((e as MessageEvent<T>).data), { once: true })
  );
}

/** The peers: one thread, or raw `postMessage` between two plain workers. */
async function peer(): Promise<Measurement> {
  if (figure === "workers.speedup") {
    const system = await ActorSystem.start({ ...quiet, workers: 0 });
    try {
      const cruncher = system.spawn(Cruncher);
      return await rate(TASKS, () => crunchAll([cruncher]));
    } finally {
      await system.shutdown();
    }
  }
  const kind = figure === "workers.tell" ? "tell" : "transfer";
  const [sender, receiver] = await peerWorkers(kind);
  try {
    if (kind === "tell") {
      let expected = 0;
      return await rate(TELLS, async () => {
        const counted = next<number>(receiver);
        sender.postMessage({ kind: "tell", count: TELLS } satisfies PeerGo);
        expected += TELLS;
        const seen = await counted;
        if (seen !== expected) throw new Error(`lost messages: ${seen} != ${expected}`);
      });
    }
    return await rate(ROUNDS * MIB_PER_ROUND, async () => {
      const done = next<number>(sender);
      sender.postMessage({ kind: "transfer", rounds: ROUNDS, floats: FLOATS } satisfies PeerGo);
      await done;
    });
  } finally {
    sender.terminate();
    receiver.terminate();
  }
}

report(side === "peer" ? await peer() : await ours());
