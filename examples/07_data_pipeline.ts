/**
 * 07 — A data pipeline with backpressure.
 *
 * A reader (this program) streams 4000 batches of 256 records x 64 features
 * (`Float64Array`s, 500 MiB in all) to a pool of 4 transform workers under a
 * supervisor, spread over the hosts. Batches travel by object ref: the
 * reader puts each batch's values (`system.put`) and sends the small ref;
 * a worker on this host reads the very array (no copy), a worker elsewhere
 * fetches it once from this host (`await ref.get()`); the reader releases
 * it when the batch is done, so no batch outlives its turn on any host
 * (see docs/moving-data.md). Each worker turns a batch into one
 * feature sum per record and hands it to a deliberately slow writer (1 ms per
 * batch), waiting for it. Backpressure works twice over: the reader keeps at
 * most 8 batches in hand (what the workers' bounded mailboxes hold: 2 each),
 * and a bounded mailbox refuses anything beyond with `MailboxFullError`
 * (retried a moment later). So the stream moves at the writer's pace and
 * memory stays flat, however much data is still to come.
 *
 * One record is poison (a NaN): the worker that meets it throws; its
 * supervisor restarts it; the reader splits the batch and sends its records
 * one by one, so only the poison record is quarantined. Both failed asks are
 * in the dead letters (cluster-wide, through `system.inspect()`), and the
 * other 255,999 records flow on.
 *
 * The workers are spread over the worker hosts, where there are some: with
 * `--workers N` they transform on N worker hosts in this one process (one
 * core each), with `--nats` on 2 worker host processes. A line says which
 * hosts transformed the batches.
 *
 * Run: deno run -A examples/07_data_pipeline.ts [--workers 2 | --nats nats://127.0.0.1:4222]
 *
 * @module
 */

import {
  type ActorRef,
  type ActorSystem,
  type Ask,
  childSpec,
  defineActor,
  defineSupervisor,
  type Labels,
  type SupervisorProtocol,
} from "../mod.ts";
import type { ObjectRef } from "../types.ts";
import { exampleFlags, PerHost, startHosts } from "./_hosts.ts";

let BATCHES = 4_000;
const RECORDS = 256;
const FEATURES = 64;
const POISON_RECORD = 37 * RECORDS + 5;
const WRITE_MS = 1;
const WORKERS = 4;

/**
 * A batch: records `first` .. `first + count - 1`, `FEATURES` values each,
 * by reference (the values stay with the reader until a worker gets them).
 */
interface Batch {
  readonly first: number;
  readonly count: number;
  readonly values: ObjectRef<Float64Array>;
}

type WriterProtocol = {
  write: Ask<{ first: number; sums: Float64Array }, void>;
  summary: Ask<void, { records: number; checksum: number }>;
};

/** The sink: slow on purpose; a batch sent twice (after a retry) counts once. */
export const Writer = defineActor<
  WriterProtocol,
  { done: Set<number>; records: number; checksum: number }
>({
  type: "pipeline-writer",
  module: import.meta.url,
  init: () => ({ done: new Set(), records: 0, checksum: 0 }),
  mailbox: { kind: "bounded", capacity: 4, overflow: "reject" },
  asks: {
    write: async (state, { first, sums }) => {
      await new Promise((resolve) => setTimeout(resolve, WRITE_MS));
      if (state.done.has(first)) return { state, reply: undefined };
      state.done.add(first);
      state.records += sums.length;
      for (const s of sums) state.checksum += s;
      return { state, reply: undefined };
    },
    summary: (state) => ({ state, reply: { records: state.records, checksum: state.checksum } }),
  },
});

/** A record the pipeline cannot take. */
export class PoisonRecordError extends Error {
  override name = "PoisonRecordError";
}

type TransformerProtocol = { transform: Ask<Batch, void> };

/** A worker: one feature sum per record, handed to the writer. */
export const Transformer = defineActor<
  TransformerProtocol,
  { writer: ActorRef<WriterProtocol> },
  { writer: ActorRef<WriterProtocol> }
>({
  type: "pipeline-transformer",
  module: import.meta.url,
  init: (args) => args,
  mailbox: { kind: "bounded", capacity: 2, overflow: "reject" },
  asks: {
    transform: async (state, batch) => {
      const values = await batch.values.get();
      const sums = new Float64Array(batch.count);
      for (let r = 0; r < batch.count; r++) {
        let sum = 0;
        for (let f = 0; f < FEATURES; f++) sum += values[r * FEATURES + f];
        if (!Number.isFinite(sum)) {
          throw new PoisonRecordError(`record ${batch.first + r} has a non-finite value`);
        }
        sums[r] = sum;
      }
      await retryWhileFull(() => state.writer.ask("write", { first: batch.first, sums }));
      return { state, reply: undefined };
    },
  },
});

/** The workers, spread over the hosts with `labels`, restarted when they fail. */
export const Pool = defineSupervisor<{ writer: ActorRef<WriterProtocol>; labels: Labels }>({
  type: "pipeline-pool",
  module: import.meta.url,
  strategy: { kind: "one_for_one", maxRestarts: 10, withinMs: 10_000 },
  children: ({ writer, labels }) =>
    Array.from({ length: WORKERS }, (_, i) =>
      childSpec(Transformer, {
        id: `transform-${i}`,
        args: { writer },
        placement: { kind: "spread", labels },
      })),
});

let refusals = 0;
const transformed = new PerHost();

/** Backpressure: a full mailbox says "not now"; wait a moment and try again. */
async function retryWhileFull<T>(send: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await send();
    } catch (err) {
      if ((err as Error).name !== "MailboxFullError") throw err;
      refusals++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

/** The values of one record: deterministic, and NaN for the poison record. */
function fill(values: Float64Array, offset: number, record: number): void {
  for (let f = 0; f < FEATURES; f++) {
    values[offset + f] = record === POISON_RECORD ? NaN : ((record * 31 + f * 7) % 101) / 100;
  }
}

/** The values of records `first` .. `first + count - 1`, put where workers can get them. */
async function makeBatch(system: ActorSystem, first: number, count: number): Promise<Batch> {
  const values = new Float64Array(count * FEATURES);
  for (let r = 0; r < count; r++) fill(values, r * FEATURES, first + r);
  return { first, count, values: await system.put(values) };
}

/**
 * Sends every batch through the pool, at most `window` at a time, each to
 * the worker with the fewest batches in hand; returns the quarantined records.
 * `onProgress` is called after each batch with the count done.
 */
async function read(
  system: ActorSystem,
  pool: ActorRef<SupervisorProtocol>,
  window: number,
  onProgress: (done: number) => void,
): Promise<string[]> {
  let workers: ActorRef<TransformerProtocol>[] = [];
  const busy = new Map<string, number>();
  const refresh = async () => {
    const children = await pool.ask("which");
    workers = children.filter((c) => c.ref !== undefined)
      .map((c) => system.resolveRef(c.ref!.toJSON(), Transformer));
  };
  await refresh();
  const quarantined: string[] = [];
  // A batch's values live until it is done: released, on every host that read them.
  const send = async (first: number, count: number): Promise<void> => {
    const batch = await makeBatch(system, first, count);
    try {
      await sendBatch(batch);
    } finally {
      await batch.values.release();
    }
  };
  const sendBatch = async (batch: Batch): Promise<void> => {
    for (;;) {
      const worker = workers.reduce((a, b) =>
        (busy.get(a.id) ?? 0) <= (busy.get(b.id) ?? 0) ? a : b
      );
      busy.set(worker.id, (busy.get(worker.id) ?? 0) + 1);
      try {
        await retryWhileFull(() => worker.ask("transform", batch, { timeoutMs: 30_000 }));
        transformed.add(worker);
        return;
      } catch (err) {
        const cause = (err as Error).cause as Error | undefined;
        if (cause?.name === "PoisonRecordError") {
          if (batch.count === 1) {
            quarantined.push(`record ${batch.first} (${cause.name}: ${cause.message})`);
            return;
          }
          // Split it: only the poison record should stay behind.
          for (let r = 0; r < batch.count; r++) await send(batch.first + r, 1);
          return;
        }
        // The worker was being restarted (a remote one comes back as a new actor): ask again.
        await new Promise((resolve) => setTimeout(resolve, 20));
        await refresh();
      } finally {
        busy.set(worker.id, busy.get(worker.id)! - 1);
      }
    }
  };
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  for (let b = 0; b < BATCHES; b++) {
    const sending = send(b * RECORDS, RECORDS).finally(() => {
      inFlight.delete(sending);
      onProgress(++done);
    });
    inFlight.add(sending);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return quarantined;
}

if (import.meta.main) {
  const flags = exampleFlags({ batches: { type: "string" }, workers: { type: "string" } });
  BATCHES = Number(flags.batches ?? BATCHES);
  const hosts = await startHosts({
    cluster: "pipeline",
    module: import.meta.url,
    hosts: [
      { id: "etl-a", labels: { stage: "transform" } },
      { id: "etl-b", labels: { stage: "transform" } },
    ],
    nats: flags.nats,
    workers: flags.workers,
  });
  const { system } = hosts;
  const writer = system.spawn(Writer, { name: "writer" });
  const pool = system.spawn(Pool, { name: "pool", args: { writer, labels: hosts.workerLabels } });
  const placed = new Set((await pool.ask("which")).map((c) => c.hostId));
  console.log(
    `pipeline: ${WORKERS} transform workers on ${placed.size} host(s), a writer taking ${WRITE_MS} ms ` +
      `per batch, bounded mailboxes (workers 2, writer 4), ${hosts.mode} mode`,
  );

  // Memory, sampled while streaming: the peak of each quarter of the stream.
  // The garbage collector frees spent batches in bursts, so a peak is "live
  // data plus garbage not yet collected"; flat means it levels off instead
  // of growing with the data gone through.
  const baseline = memory();
  const peaks = [0, 0, 0, 0];
  let quarter = 0;
  const sample = () => peaks[quarter] = Math.max(peaks[quarter], memory() - baseline);
  const sampler = setInterval(sample, 5);
  // The window: 4 workers x 2 (a mailbox holds 2, the one in hand included), so a full mailbox is rare.
  const quarantined = await read(system, pool, WORKERS * 2, (done) => {
    sample();
    quarter = Math.min(3, Math.floor((done / BATCHES) * 4));
  });
  clearInterval(sampler);

  const { records, checksum } = await writer.ask("summary");
  let expected = 0;
  const one = new Float64Array(FEATURES);
  for (let record = 0; record < BATCHES * RECORDS; record++) {
    if (record === POISON_RECORD) continue;
    fill(one, 0, record);
    for (const v of one) expected += v;
  }
  const streamedMiB = (BATCHES * RECORDS * FEATURES * 8) / 2 ** 20;
  const peaksMiB = peaks.map((p) => p / 2 ** 20);
  // Memory growing with the data would reach 4x the first quarter's peak by the last.
  const flat = Math.max(peaksMiB[2], peaksMiB[3]) <= 2.5 * Math.max(peaksMiB[0], 16);
  const deadLetters = (await system.inspect({ recent: 1_000 })).deadLetters
    .filter((d) => d.messageName === "transform" && d.reason === "handler-failed");
  const restarts = (await pool.ask("which")).reduce((n, c) => n + c.restarts, 0);

  console.log(`records written: ${records} of ${BATCHES * RECORDS}`);
  console.log(`quarantined: ${quarantined.join(", ")}`);
  console.log(
    `dead letters: ${deadLetters.length} failed 'transform' asks (the batch holding it, then the record alone)`,
  );
  console.log(`batches transformed per host: ${transformed}`);
  console.log(`worker restarts: ${restarts}`);
  console.log(`backpressure: ${refusals} sends refused with MailboxFullError and retried`);
  console.log(
    `memory above the start, peak per quarter of the ${streamedMiB.toFixed(0)} MiB stream: ` +
      `${peaksMiB.map((p) => p.toFixed(0)).join(", ")} MiB (flat: ${flat})`,
  );
  console.log(
    `checksum matches a direct computation: ${Math.abs(checksum - expected) < 1e-6 * expected}`,
  );
  await hosts.close();
}

/** The memory this process holds: the JavaScript heap and the buffers outside it. */
function memory(): number {
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}
