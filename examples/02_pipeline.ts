/**
 * 02 — Several actors talking: a tiny data pipeline.
 *
 * A loader cuts a dataset into batches and hands them round-robin to a pool of
 * workers that it spawns as its children. Each worker computes a statistic of
 * its batch and *tells* the result to an aggregator, whose ref travelled to it
 * inside a message. The program *asks* the loader to run, then asks the
 * aggregator for the total, and checks it against a direct computation.
 *
 * Run: deno run -A examples/02_pipeline.ts
 *
 * @module
 */

import { type ActorRef, ActorSystem, type Ask, defineActor, type Tell } from "../mod.ts";

// ---- protocols -------------------------------------------------------------

type AggregatorProtocol = {
  partial: Tell<{ worker: string; sumOfSquares: number; rows: number }>;
  total: Ask<void, { sumOfSquares: number; rows: number; workers: number }>;
};

type WorkerProtocol = {
  batch: Tell<{ rows: Float64Array; aggregator: ActorRef<AggregatorProtocol> }>;
};

type LoaderProtocol = {
  run: Ask<{ dataset: Float64Array; batchSize: number }, number>;
};

// ---- behaviours ------------------------------------------------------------

type AggregatorState = {
  sumOfSquares: number;
  rows: number;
  workers: Set<string>;
};

const Aggregator = defineActor<AggregatorProtocol, AggregatorState>({
  type: "aggregator",
  init: () => ({ sumOfSquares: 0, rows: 0, workers: new Set() }),
  tells: {
    partial: (state, { worker, sumOfSquares, rows }) => ({
      sumOfSquares: state.sumOfSquares + sumOfSquares,
      rows: state.rows + rows,
      workers: new Set(state.workers).add(worker),
    }),
  },
  asks: {
    // What it has counted so far. (A handler must not wait for later messages
    // of its own: while it waits, the actor handles nothing else.)
    total: (state) => ({
      state,
      reply: { sumOfSquares: state.sumOfSquares, rows: state.rows, workers: state.workers.size },
    }),
  },
});

const Worker = defineActor<WorkerProtocol, { batches: number }>({
  type: "worker",
  init: () => ({ batches: 0 }),
  tells: {
    batch: (state, { rows, aggregator }, ctx) => {
      let sumOfSquares = 0;
      for (const x of rows) sumOfSquares += x * x;
      aggregator.tell("partial", { worker: ctx.self.id, sumOfSquares, rows: rows.length });
      return { batches: state.batches + 1 };
    },
  },
});

type LoaderState = {
  workers: ActorRef<WorkerProtocol>[];
  aggregator: ActorRef<AggregatorProtocol>;
};

const Loader = defineActor<LoaderProtocol, LoaderState, {
  poolSize: number;
  aggregator: ActorRef<AggregatorProtocol>;
}>({
  type: "loader",
  // The pool is spawned as children of the loader: they stop before it does.
  init: ({ poolSize, aggregator }, ctx) => ({
    workers: Array.from({ length: poolSize }, (_, i) => ctx.spawn(Worker, { name: `worker-${i}` })),
    aggregator,
  }),
  asks: {
    run: (state, { dataset, batchSize }) => {
      const { aggregator } = state;
      let batches = 0;
      for (let start = 0; start < dataset.length; start += batchSize) {
        const worker = state.workers[batches % state.workers.length];
        worker.tell("batch", { rows: dataset.subarray(start, start + batchSize), aggregator });
        batches++;
      }
      return { state, reply: batches };
    },
  },
});

// ---- the program -----------------------------------------------------------

const system = await ActorSystem.start();
const aggregator = system.spawn(Aggregator, { name: "aggregator" });
const loader = system.spawn(Loader, { name: "loader", args: { poolSize: 4, aggregator } });

const dataset = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i) * 3);
const batches = await loader.ask("run", { dataset, batchSize: 1_000 });
// The workers' partials may still be on their way: ask until every row is counted.
let total = await aggregator.ask("total");
while (total.rows < dataset.length) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  total = await aggregator.ask("total");
}

let expected = 0;
for (const x of dataset) expected += x * x;

console.log(`batches sent: ${batches}`);
console.log(`rows counted: ${total.rows} by ${total.workers} workers`);
console.log(`sum of squares: ${total.sumOfSquares.toFixed(3)}`);
console.log(`matches direct computation: ${Math.abs(total.sumOfSquares - expected) < 1e-6}`);

await system.shutdown();
