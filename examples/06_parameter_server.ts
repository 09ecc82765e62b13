/**
 * 06 — A parameter server.
 *
 * A linear model of 1024 x 1024 = 1,048,576 parameters (`Float32Array`s) is
 * sharded over 2 persistent actors of 512 rows each (2 MiB tensors, sent
 * whole: a message of any size is chunked on the wire). Four worker actors fit
 * it to synthetic data (multi-output linear regression, `y = W* x + noise`):
 * each pulls the weights, computes the gradient of a batch, and pushes each
 * shard its slice.
 *
 * A shard hands out its weights as an object ref (`ctx.put`), put once per
 * version of the weights: every worker gets the same ref, and its value
 * crosses to each host once (the workers of one host share it; on the
 * shard's own host `get` returns the array itself). A new version releases
 * the one before the old one: a worker that asked for the old one just
 * before the change can still get it.
 *
 * - `--mode sync` (default): a step is a barrier. The driver asks every
 *   worker for its gradient, then every shard applies the sum: all workers
 *   see the same weights.
 * - `--mode async`: workers loop on their own; a shard applies each gradient
 *   as it arrives (some are computed on weights a few updates old).
 *
 * The shards are persistent, and a step's `apply` is answered only once the
 * new weights are stored: kill the run (`--crash-after N` does it the hard
 * way) and the next run resumes from the last finished step.
 *
 * The workers are spread over the worker hosts, where there are some: with
 * `--workers N` they compute on N worker hosts in this one process (one core
 * each), with `--nats` on 2 worker host processes. The last line says which
 * hosts computed the gradients.
 *
 * Run: deno run -A examples/06_parameter_server.ts [--steps 12] [--mode sync|async]
 *      [--crash-after N] [--workers 2 | --nats nats://127.0.0.1:4222]
 *      (--nats: 2 worker hosts, JetStream state)
 *
 * @module
 */

import { type ActorRef, type Ask, defineActor, ObjectLostError, transfer } from "../mod.ts";
import type { ObjectRef } from "../types.ts";
import { exampleFlags, PerHost, startHosts } from "./_hosts.ts";

const ROWS = 1024;
const COLS = 1024;
const SHARDS = 2;
const SHARD_ROWS = ROWS / SHARDS;
const WORKERS = 4;
const BATCH = 16;
/** The step size per sample (the inputs have unit norm on average). */
const LEARNING_RATE = 0.8;

type ShardProtocol = {
  /** The current weights, as an object ref (put once per version). */
  weights: Ask<void, ObjectRef<Float32Array>>;
  /** Sync mode: adds a worker's gradient slice to this step's sum. */
  accumulate: Ask<Float32Array, void>;
  /** Sync mode: applies this step's sum; answered once the new weights are stored. */
  apply: Ask<void, number>;
  /** Async mode: applies one gradient slice now. */
  applyNow: Ask<Float32Array, number>;
  /** Finished steps (updates applied, divided by the number of workers). */
  step: Ask<void, number>;
};

interface ShardState {
  readonly updates: number;
  readonly weights: Float32Array;
  /** This step's gradient sum, added to in place; not stored (a crash mid-step redoes the step). */
  readonly pending: Float32Array;
  contributions: number;
  /** The current weights as an object ref, once a worker asked for them; not stored. */
  published: ObjectRef<Float32Array> | undefined;
  /** The version before, still readable by a worker that asked for it just before; not stored. */
  previous: ObjectRef<Float32Array> | undefined;
}

const emptyPending = () => new Float32Array(SHARD_ROWS * COLS);

/** One shard of the model: 512 rows of 1024 weights. */
export const Shard = defineActor<ShardProtocol, ShardState>({
  type: "ps-shard",
  module: import.meta.url,
  init: () => ({
    updates: 0,
    weights: new Float32Array(SHARD_ROWS * COLS),
    pending: emptyPending(),
    contributions: 0,
    published: undefined,
    previous: undefined,
  }),
  persistence: {
    version: 1,
    encode: ({ updates, weights }) => ({ updates, weights }),
    decode: (data) => {
      const { updates, weights } = data as { updates: number; weights: Float32Array };
      return {
        updates,
        weights,
        pending: emptyPending(),
        contributions: 0,
        published: undefined,
        previous: undefined,
      };
    },
  },
  asks: {
    // Put once per version; the same state object back: nothing to store.
    weights: async (state, _, ctx) => {
      state.published ??= await ctx.put(state.weights);
      return { state, reply: state.published };
    },
    // The same state object back means "nothing to store": the sum is not kept.
    accumulate: (state, slice) => {
      for (let i = 0; i < slice.length; i++) state.pending[i] += slice[i];
      state.contributions++;
      return { state, reply: undefined };
    },
    apply: (state) => {
      const weights = descend(state.weights, state.pending);
      const updates = state.updates + state.contributions;
      state.pending.fill(0);
      if (state.published !== undefined) void state.previous?.release();
      return {
        state: {
          updates,
          weights,
          pending: state.pending,
          contributions: 0,
          published: undefined,
          previous: state.published ?? state.previous,
        },
        reply: Math.floor(updates / WORKERS),
      };
    },
    applyNow: (state, slice) => {
      const updates = state.updates + 1;
      if (state.published !== undefined) void state.previous?.release();
      return {
        state: {
          ...state,
          updates,
          weights: descend(state.weights, slice),
          published: undefined,
          previous: state.published ?? state.previous,
        },
        reply: Math.floor(updates / WORKERS),
      };
    },
    step: (state) => ({ state, reply: Math.floor(state.updates / WORKERS) }),
  },
});

function descend(weights: Float32Array, gradient: Float32Array): Float32Array {
  const next = new Float32Array(weights);
  for (let i = 0; i < next.length; i++) next[i] -= LEARNING_RATE * gradient[i];
  return next;
}

type WorkerProtocol = {
  /** Sync: one batch on the current weights; pushes the gradient, replies the batch loss. */
  compute: Ask<{ step: number }, number>;
  /** Async: `steps` batches, each pushed as soon as computed; replies the losses. */
  run: Ask<{ from: number; steps: number }, number[]>;
};

interface WorkerArgs {
  readonly index: number;
  readonly shards: ActorRef<ShardProtocol>[];
}

/** A worker: computes gradients on its own synthetic batches. */
export const Worker = defineActor<WorkerProtocol, WorkerArgs & { truth: Float32Array }, WorkerArgs>(
  {
    type: "ps-worker",
    module: import.meta.url,
    init: (args) => ({ ...args, truth: trueWeights() }),
    asks: {
      compute: async (state, { step }) => {
        const { loss, gradient } = await batchGradient(state, step);
        await Promise.all(
          state.shards.map((shard, s) =>
            shard.ask("accumulate", transfer(rowsOf(gradient, s)), LONG)
          ),
        );
        return { state, reply: loss };
      },
      run: async (state, { from, steps }) => {
        const losses: number[] = [];
        for (let step = from; step < from + steps; step++) {
          const { loss, gradient } = await batchGradient(state, step);
          await Promise.all(
            state.shards.map((shard, s) =>
              shard.ask("applyNow", transfer(rowsOf(gradient, s)), LONG)
            ),
          );
          losses.push(loss);
        }
        return { state, reply: losses };
      },
    },
  },
);

const LONG = { timeoutMs: 120_000 };

/**
 * A shard's rows, copied into a buffer of their own: given up with
 * `transfer()` when pushed, they move to a shard on a worker host of this
 * process instead of being copied again (over NATS they are copied).
 */
function rowsOf(matrix: Float32Array, shard: number): Float32Array {
  return matrix.slice(shard * SHARD_ROWS * COLS, (shard + 1) * SHARD_ROWS * COLS);
}

/** Pulls the weights, and returns the batch's loss and gradient (summed over the batch). */
async function batchGradient(
  state: WorkerArgs & { truth: Float32Array },
  step: number,
): Promise<{ loss: number; gradient: Float32Array }> {
  const weights = new Float32Array(ROWS * COLS);
  const slices = await Promise.all(state.shards.map(pullWeights));
  slices.forEach((slice, s) => weights.set(slice, s * SHARD_ROWS * COLS));
  const random = gaussian(1 + step * 7919 + state.index * 104_729);
  const gradient = new Float32Array(ROWS * COLS);
  const x = new Float32Array(COLS);
  let loss = 0;
  for (let b = 0; b < BATCH; b++) {
    for (let c = 0; c < COLS; c++) x[c] = random() / Math.sqrt(COLS);
    for (let r = 0; r < ROWS; r++) {
      const row = r * COLS;
      let predicted = 0;
      let target = 0.01 * random();
      for (let c = 0; c < COLS; c++) {
        predicted += weights[row + c] * x[c];
        target += state.truth[row + c] * x[c];
      }
      const error = predicted - target;
      loss += error * error;
      for (let c = 0; c < COLS; c++) gradient[row + c] += error * x[c];
    }
  }
  return { loss: loss / (BATCH * ROWS), gradient };
}

/**
 * A shard's current weights. In async mode, on a loaded machine, the shard
 * may release the version it named (two versions on) before this worker got
 * it: then ask again, for the version current then.
 */
async function pullWeights(shard: ActorRef<ShardProtocol>): Promise<Float32Array> {
  for (let attempt = 1;; attempt++) {
    const ref = await shard.ask("weights", undefined, LONG);
    try {
      return await ref.get();
    } catch (err) {
      if (!ObjectLostError.is(err) || attempt === 20) throw err;
    }
  }
}

/** The weights the data comes from: the same on every host. */
function trueWeights(): Float32Array {
  const random = gaussian(42);
  return Float32Array.from({ length: ROWS * COLS }, () => 0.35 * random());
}

/** A seeded standard normal generator (xorshift32 and Box-Muller): the same numbers on any host. */
function gaussian(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

if (import.meta.main) {
  const flags = exampleFlags({
    steps: { type: "string" },
    mode: { type: "string" },
    "crash-after": { type: "string" },
    workers: { type: "string" },
  });
  const steps = Number(flags.steps ?? 12);
  const mode = flags.mode ?? "sync";
  const crashAfter = flags["crash-after"] === undefined ? Infinity : Number(flags["crash-after"]);
  if (mode !== "sync" && mode !== "async") throw new Error(`--mode is sync or async, not ${mode}`);
  const hosts = await startHosts({
    cluster: "ps",
    module: import.meta.url,
    hosts: [{ id: "ps-a", labels: { gpu: "1" } }, { id: "ps-b", labels: { gpu: "1" } }],
    bucket: "ps_example",
    nats: flags.nats,
    workers: flags.workers,
  });
  const { system } = hosts;
  const shards = await Promise.all(
    Array.from(
      { length: SHARDS },
      (_, s) =>
        system.spawn(Shard, { name: `shard-${s}`, placement: { kind: "hash", key: `shard-${s}` } }),
    ),
  );
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, (_, index) =>
      system.spawn(Worker, {
        name: `worker-${index}`,
        args: { index, shards },
        placement: { kind: "spread", labels: hosts.workerLabels },
      })),
  );
  const placed = new Set([...shards, ...workers].map((ref) => ref.id.split("/")[0]));
  console.log(
    `model: ${ROWS * COLS} parameters in ${SHARDS} shards, ${WORKERS} workers, ${mode} updates, ` +
      `${hosts.mode} mode (${placed.size} host(s))`,
  );
  const start = await shards[0].ask("step");
  console.log(`resumed at step ${start}`);
  const started = performance.now();
  const losses: number[] = [];
  const gradients = new PerHost();
  if (mode === "sync") {
    for (let step = start; step < steps; step++) {
      const batchLosses = await Promise.all(workers.map((w) => w.ask("compute", { step }, LONG)));
      workers.forEach((w) => gradients.add(w));
      await Promise.all(shards.map((shard) => shard.ask("apply", undefined, LONG)));
      losses.push(batchLosses.reduce((a, b) => a + b, 0) / WORKERS);
      console.log(`step ${step + 1}: loss ${losses.at(-1)!.toFixed(4)}`);
      if (step + 1 >= crashAfter) {
        console.log(`crashing after step ${step + 1}`);
        hosts.crash(3);
      }
    }
  } else {
    const perWorker = await Promise.all(
      workers.map((w) => w.ask("run", { from: start, steps: Math.max(0, steps - start) }, LONG)),
    );
    workers.forEach((w, i) => gradients.add(w, perWorker[i].length));
    for (let i = 0; i < steps - start; i++) {
      losses.push(perWorker.reduce((sum, l) => sum + l[i], 0) / WORKERS);
      console.log(`round ${start + i + 1}: loss ${losses.at(-1)!.toFixed(4)}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const gradientBytes = losses.length * WORKERS * ROWS * COLS * 4;
  console.log(`now at step ${await shards[0].ask("step")}`);
  if (losses.length > 1) {
    console.log(
      `loss decreased: ${losses.at(-1)! < losses[0]} (${losses[0].toFixed(4)} -> ${
        losses.at(-1)!.toFixed(4)
      })`,
    );
    console.log(
      `gradients moved: ${(gradientBytes / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s ` +
        `(${(gradientBytes / 2 ** 20 / seconds).toFixed(1)} MiB/s)`,
    );
  }
  console.log(`gradients computed per host: ${gradients}`);
  await hosts.close();
}
