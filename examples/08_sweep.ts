/**
 * 08 — A hyperparameter sweep whose trials are entities.
 *
 * Each trial of the sweep (9 trials: 3 learning rates x 3 batch sizes) is
 * an entity: a virtual actor addressed by its key (`lr0p05-b32`), which
 * nobody spawns, names or places. `system.entity(Trial, key)` is its ref;
 * its first message activates it on a host labelled `gpu=1` that the key
 * hashes to, with its persistent state (attempts, loss, host) loaded first.
 * An idle trial passivates; asking it again later brings it back with that
 * state, on whichever host owns its key then. At most one activation of a
 * trial lives in the cluster, so a trial never trains twice at once.
 *
 * Each trial trains a small model (linear regression by minibatch SGD) and
 * keeps its final loss. One trial fails its first attempt (a simulated
 * out-of-memory): its `run` ask rejects, and the driver retries it after a
 * backoff; the attempt count lives in the trial, so it survives anything.
 *
 * `--stop-after N` kills the run the hard way once N trials are done; run it
 * again and the sweep resumes: each trial knows whether it is done.
 *
 * Run: deno run -A examples/08_sweep.ts [--stop-after 4] [--nats nats://127.0.0.1:4222]
 *      (with --nats: two GPU hosts and one CPU host, state in JetStream)
 *
 * @module
 */

import { type Ask, defineActor } from "../mod.ts";
import { exampleFlags, startHosts } from "./_hosts.ts";

/** One trial's hyperparameters. */
interface TrialParams {
  readonly learningRate: number;
  readonly batchSize: number;
}

/** What a trial remembers, across passivations, moves and crashes of the program. */
interface TrialRecord {
  readonly key: string;
  readonly attempts: number;
  readonly loss: number | undefined;
  readonly host: string | undefined;
}

/** The trial that fails on its first attempt, as a flaky GPU job would. */
const FLAKY_TRIAL = "lr0p05-b32";

/** A trial: an entity of type `sweep-trial`, keyed by its hyperparameters. */
export const Trial = defineActor<
  { run: Ask<TrialParams, TrialRecord>; record: Ask<void, TrialRecord> },
  TrialRecord,
  string
>({
  type: "sweep-trial",
  module: import.meta.url,
  entity: { idleMs: 2_000, labels: { gpu: "1" } },
  persistence: { version: 1 },
  init: (key) => ({ key, attempts: 0, loss: undefined, host: undefined }),
  asks: {
    run: (trial, params, ctx) => {
      // Done before (in this run or an earlier one): nothing to train.
      if (trial.loss !== undefined) return { state: trial, reply: trial };
      const attempts = trial.attempts + 1;
      if (trial.key === FLAKY_TRIAL && attempts === 1) {
        const error = new Error(`CUDA out of memory (simulated) in trial ${trial.key}`);
        return { state: { ...trial, attempts }, error };
      }
      const done = { ...trial, attempts, loss: train(params), host: ctx.self.id.split("/")[0] };
      return { state: done, reply: done };
    },
    record: (trial) => ({ state: trial, reply: trial }),
  },
});

const GPU_SLOTS = 2;

/** Fits y = 3x - 1 by minibatch SGD for 30 steps; returns the final mean squared error. */
function train({ learningRate, batchSize }: TrialParams): number {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let w = 0;
  let b = 0;
  const loss = () => {
    let sum = 0;
    for (let i = 0; i < 200; i++) {
      const x = i / 100 - 1;
      sum += (w * x + b - (3 * x - 1)) ** 2;
    }
    return sum / 200;
  };
  for (let step = 0; step < 30; step++) {
    let gw = 0;
    let gb = 0;
    for (let i = 0; i < batchSize; i++) {
      const x = random() * 2 - 1;
      const error = w * x + b - (3 * x - 1 + 0.1 * (random() - 0.5));
      gw += (2 * error * x) / batchSize;
      gb += (2 * error) / batchSize;
    }
    w -= learningRate * gw;
    b -= learningRate * gb;
  }
  return loss();
}

if (import.meta.main) {
  const flags = exampleFlags({ "stop-after": { type: "string" } });
  const stopAfter = flags["stop-after"] === undefined ? Infinity : Number(flags["stop-after"]);
  const hosts = await startHosts({
    cluster: "sweep",
    module: import.meta.url,
    hosts: [
      { id: "gpu-1", labels: { gpu: "1" } },
      { id: "gpu-2", labels: { gpu: "1" } },
      { id: "cpu-1", labels: { gpu: "0" } },
    ],
    bucket: "sweep_example",
    nats: flags.nats,
  });
  const { system } = hosts;
  const grid = new Map<string, TrialParams>();
  for (const learningRate of [0.005, 0.05, 0.5]) {
    for (const batchSize of [8, 32, 128]) {
      // Keys: letters, digits, '_', '-' and ':' (no '.').
      grid.set(`lr${String(learningRate).replace(".", "p")}-b${batchSize}`, {
        learningRate,
        batchSize,
      });
    }
  }
  // Every trial answers for itself: no scheduler, no registry of who runs where.
  const records = () =>
    Promise.all([...grid.keys()].map((key) => system.entity(Trial, key).ask("record")));
  const waiting = (await records()).filter((t) => t.loss === undefined).map((t) => t.key);
  console.log(
    `resumed: ${
      grid.size - waiting.length
    } of ${grid.size} trials already done (${hosts.mode} mode)`,
  );

  // Two GPUs: at most two trials run at a time; a failed attempt is retried after a backoff.
  let finished = grid.size - waiting.length;
  let failedAttempts = 0;
  const slot = async () => {
    for (let key = waiting.shift(); key !== undefined; key = waiting.shift()) {
      for (let backoffMs = 100;; backoffMs *= 2) {
        try {
          await system.entity(Trial, key).ask("run", grid.get(key)!, { timeoutMs: 30_000 });
          break;
        } catch (err) {
          failedAttempts++;
          console.log(`  ${key}: ${(err as Error).message}; again in ${backoffMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
        }
      }
      if (++finished >= stopAfter && finished < grid.size) {
        console.log(`stopping the sweep the hard way after ${finished} trials`);
        hosts.crash(3);
      }
    }
  };
  await Promise.all(Array.from({ length: GPU_SLOTS }, slot));

  const board = (await records()).sort((a, b) =>
    (a.loss ?? Infinity) - (b.loss ?? Infinity) || a.key.localeCompare(b.key)
  );
  console.log(`failed attempts this run: ${failedAttempts}`);
  for (const t of board.filter((t) => t.attempts > 1)) {
    console.log(`retried: ${t.key} took ${t.attempts} attempts`);
  }
  console.log("leaderboard (lowest loss first):");
  for (const [rank, t] of board.slice(0, 3).entries()) {
    console.log(`  ${rank + 1}. ${t.key}: loss ${t.loss!.toExponential(3)} on ${t.host}`);
  }
  console.log(`trials ran on: ${[...new Set(board.map((t) => t.host))].sort().join(", ")}`);
  const here = (await system.inspect()).hosts.map((h) =>
    `${h.hostId} ${h.entities?.activations ?? 0}`
  );
  console.log(`trial activations by host: ${here.join(", ")}`);
  await hosts.close();
}
